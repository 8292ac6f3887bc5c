"""Messages to a run are checked against the definition the run is pinned to (read from the run itself), and
the run-addressing CLI verbs work without the definitions folder or the activity modules."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from temporalio.client import Client

from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import InvalidPayload, RunNotRunning, UnknownQuery, UnknownRun, UnknownSignal
from tdsl.server.gateway import PinnedDefinition, RunInspector, RunMessenger
from tdsl.server.gateway.inspecting import PROGRESS_QUERY
from tdsl.server.runs import RunService
from tests.server.cli import tdsl
from tests.server.helpers import DEFINITIONS, unique, waiting_for_signal

GATE = DEFINITIONS / "gate.yaml"


def test_the_progress_query_is_the_interpreters() -> None:
    from tdsl.interpreter import PROGRESS_QUERY as INTERPRETER_PROGRESS_QUERY

    assert PROGRESS_QUERY == INTERPRETER_PROGRESS_QUERY


def test_a_pinned_definition_is_read_from_plain_start_input() -> None:
    signals = {"approve": {"schema": {"type": "object"}}, "reject": None}
    pinned = PinnedDefinition.from_start_input(
        {"definition": {"name": "gate", "signals": signals}, "input": {}},
        version=1,
        sha256="abc",
    )
    assert pinned is not None
    assert (pinned.name, pinned.version, pinned.sha256) == ("gate", 1, "abc")
    assert pinned.declared("signal") == {"approve": {"schema": {"type": "object"}}, "reject": {}}
    assert pinned.declared("query") == {}
    assert PinnedDefinition.from_start_input(["not", "a", "payload"]) is None
    assert PinnedDefinition.from_start_input({"definition": {"steps": []}}) is None


async def start_pinned_gate(engine: TemporalEngine, folder: Path) -> tuple[str, RunService]:
    """A gate run started from a copy of gate.yaml in ``folder`` (served by the module's engine worker)."""
    folder.mkdir(exist_ok=True)
    shutil.copy(GATE, folder / "gate.yaml")
    runs = RunService(engine.require_runs().client, Catalog.load(folder), engine.activities,
                      engine.settings.temporal.task_queue)
    started = await runs.start("gate", {}, workflow_id=unique("pinned-gate"))
    await waiting_for_signal(runs, started.workflow_id)
    return started.workflow_id, runs


async def test_the_inspector_reads_the_start_input_and_history(
    client: Client, engine: TemporalEngine, tmp_path: Path
) -> None:
    workflow_id, runs = await start_pinned_gate(engine, tmp_path / "definitions")
    inspector = RunInspector(client)
    [payload] = await inspector.start_input(workflow_id)
    assert payload["definition"] == runs.definition("gate").data
    info = await inspector.info(workflow_id)
    pinned = await inspector.pinned(info)
    assert pinned is not None
    assert (pinned.name, pinned.sha256) == ("gate", runs.definition("gate").sha256)
    assert sorted(pinned.declared("signal")) == ["approve", "reject"]
    history = await inspector.history(workflow_id)
    assert history.events[0].HasField("workflow_execution_started_event_attributes")
    with pytest.raises(UnknownRun):
        await inspector.start_input(unique("no-such-run"))
    await runs.terminate(workflow_id)


async def test_messages_follow_the_pinned_definition_not_the_edited_file(
    client: Client, engine: TemporalEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "definitions"
    workflow_id, _ = await start_pinned_gate(engine, folder)
    # The file changes after the start: 'approve' becomes 'accept', and the 'state' query disappears.
    edited = GATE.read_text().replace("approve", "accept").replace("  state:\n", "  status:\n")
    (folder / "gate.yaml").write_text(edited)
    today = RunService(client, Catalog.load(folder), engine.activities, engine.settings.temporal.task_queue)
    assert "accept" in (today.definition("gate").definition.signals or {})

    with pytest.raises(UnknownSignal) as undeclared:
        await today.signal(workflow_id, "accept", {"by": "x"})
    assert str(undeclared.value) == "'gate' declares no signal 'accept' (declared: approve, reject)"
    with pytest.raises(InvalidPayload):
        await today.signal(workflow_id, "approve", {"by": 1})
    assert await today.query(workflow_id, "state") == "waiting"
    with pytest.raises(UnknownQuery):
        await today.query(workflow_id, "status")

    # A messenger without any catalog (what the CLI uses) judges the same way.
    messenger = RunMessenger(RunInspector(client))
    with pytest.raises(UnknownSignal) as bare:
        await messenger.signal(workflow_id, "aprove")
    assert str(bare.value) == "'gate' declares no signal 'aprove' (did you mean 'approve'?)"
    await messenger.signal(workflow_id, "approve", {"by": "the pinned definition"})
    assert await today.result(workflow_id, timeout=30) == {
        "state": "approved by the pinned definition",
        "notes": [],
    }
    with pytest.raises(RunNotRunning):
        await messenger.signal(workflow_id, "approve", {"by": "too late"})


async def test_cli_checks_signals_against_the_pinned_definition_after_the_file_is_gone(
    temporal_address: str, engine: TemporalEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "definitions"
    workflow_id, runs = await start_pinned_gate(engine, folder)
    shutil.rmtree(folder)
    opts = ("--address", temporal_address, "--definitions", str(folder))
    undeclared, invalid = await asyncio.gather(
        tdsl("signal", workflow_id, "aprove", *opts),
        tdsl("signal", workflow_id, "approve", '{"by": ""}', *opts),
    )
    assert undeclared.code == 1
    assert undeclared.err == "tdsl: error: 'gate' declares no signal 'aprove' (did you mean 'approve'?)\n"
    assert invalid.code == 1
    assert invalid.err == (
        "tdsl: error: payload of signal 'approve' does not match its schema\n"
        "  $.by: '' should be non-empty\n"
    )
    sent = await tdsl("signal", workflow_id, "approve", '{"by": "cli"}', *opts)
    assert (sent.code, sent.err) == (0, "")
    assert await runs.result(workflow_id, timeout=30) == {"state": "approved by cli", "notes": []}


async def test_cli_verbs_on_a_run_need_neither_definitions_nor_activity_modules(
    temporal_address: str, engine: TemporalEngine, tmp_path: Path
) -> None:
    workflow_id, runs = await start_pinned_gate(engine, tmp_path / "definitions")
    empty = tmp_path / "empty"
    empty.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"temporal: {{url: '{temporal_address}'}}\n"
        f"definitions: '{tmp_path / 'missing'}'\n"
        "activity_modules: [no_such_activity_module]\n"
    )
    with_config = ("--config", str(config))
    status, as_json, query, listing, in_empty = await asyncio.gather(
        tdsl("status", workflow_id, *with_config),
        tdsl("status", workflow_id, "--json", *with_config),
        tdsl("query", workflow_id, "state", *with_config),
        tdsl("list", "--definition", "gate", "--json", "--limit", "500", *with_config),
        tdsl("result", workflow_id, "--address", temporal_address, "--definitions", str(empty)),
    )
    assert status.code == 0, status.err
    assert status.out.splitlines()[0] == f"{workflow_id}  gate v1  RUNNING"
    assert json.loads(as_json.out)["sha256"] == runs.definition("gate").sha256
    assert (query.code, json.loads(query.out)) == (0, "waiting")
    assert listing.code == 0, listing.err
    assert (in_empty.code, in_empty.err) == (3, f"tdsl: run {workflow_id!r} is still running\n")
    update = await tdsl("update", workflow_id, "note", '{"text": "no files needed"}', *with_config)
    assert (update.code, json.loads(update.out)) == (0, ["no files needed"])
    cancel = await tdsl("cancel", workflow_id, *with_config)
    assert cancel.code == 0, cancel.err
    outcome = await runs.outcome(workflow_id, timeout=30)
    assert outcome.status.value == "CANCELED"


def test_no_module_of_the_server_imports_private_sdk_names() -> None:
    import ast

    server = Path(__file__).resolve().parents[2] / "server"
    private = []
    for file in sorted(server.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("temporalio"):
                names = [(node.module or "").split("."), *([alias.name] for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".") for a in node.names if a.name.startswith("temporalio")]
            else:
                continue
            if any(part.startswith("_") for parts in names for part in parts):
                private.append(f"{file.relative_to(server)}:{node.lineno}")
    assert private == []
