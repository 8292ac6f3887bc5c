"""The command line imports per verb: ``tdsl --help`` loads none of the heavy libraries, and the verbs that
address a run load neither the definition language nor the activities."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from tdsl.dsl_schema.lint import FORMATS
from tdsl.server.cli.verbs import LINT_FORMATS
from tdsl.server.engine import TemporalEngine
from tests.server.cli import ROOT, environment
from tests.server.helpers import unique, waiting_for_signal

# What no verb needs for --help.
HEAVY = ("fastapi", "jinja2", "tdsl.dsl_schema.models", "tdsl.dsl_schema.catalog", "pydantic", "temporalio")
NOT_FOR_RUN_VERBS = (
    "fastapi",
    "jinja2",
    "pydantic",
    "ruamel",
    "tdsl.activities",
    "tdsl.dsl_schema.catalog",
    "tdsl.dsl_schema.lint",
    "tdsl.dsl_schema.models",
    "tdsl.interpreter",
    "tdsl.server.engine",
)

# Runs in a fresh interpreter: parse ARGV, run the verb, then print which of MODULES were imported.
PROBE = """
import json, os, sys
from tdsl.server.cli import build_parser
args = build_parser().parse_args(json.loads(sys.argv[1]))
code = args.func(args) if sys.argv[2] == "run" else None
loaded = [m for m in json.loads(sys.argv[-1]) if any(k == m or k.startswith(m + ".") for k in sys.modules)]
print(json.dumps({"code": code, "loaded": loaded}), flush=True)
os._exit(0)  # as the tdsl script does after using the Temporal client (docs/TEMPORAL_NOTES.md)
"""


def probe(argv: list[str], modules: tuple[str, ...], *, run: bool) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), "run" if run else "parse", json.dumps(list(modules))],
        cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_building_the_parser_imports_nothing_heavy() -> None:
    assert probe(["status", "some-id"], HEAVY, run=False) == {"code": None, "loaded": []}


def test_help_imports_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tdsl.server.cli", "--help"],
        cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "status" in done.stdout and "signal" in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "tdsl.server.cli.verbs" in imported
    assert not {m for m in imported if m.split(".")[0] in ("fastapi", "jinja2", "pydantic", "temporalio")}
    ours = ("tdsl.dsl_schema", "tdsl.interpreter", "tdsl.activities")
    assert not {m for m in imported if m.startswith(ours)}


def test_the_lint_formats_are_the_linters() -> None:
    assert tuple(FORMATS) == LINT_FORMATS


async def test_run_verbs_import_neither_definitions_nor_activities(
    temporal_address: str, engine: TemporalEngine
) -> None:
    handle = await engine.workflows.start("gate", {}, workflow_id=unique("lazy"))
    await waiting_for_signal(engine.require_runs(), handle.id)
    opts = ["--address", temporal_address]
    verbs = [
        ["status", handle.id, *opts],
        ["query", handle.id, "state", *opts],
        ["signal", handle.id, "aprove", *opts],
        ["list", "--limit", "5", *opts],
    ]
    found = await asyncio.gather(
        *(asyncio.to_thread(probe, argv, NOT_FOR_RUN_VERBS, run=True) for argv in verbs)
    )
    assert [f["code"] for f in found] == [0, 0, 1, 0]
    assert [f["loaded"] for f in found] == [[], [], [], []]
    await handle.terminate()
