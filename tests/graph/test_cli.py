"""``tdsl graph`` in a subprocess: a definition by name or file, in both formats, the pages, and a run on
the session dev server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.server.cli import tdsl

from .helpers import classes, finished_run, saga_input
from .syntax import check_dot, check_mermaid


async def test_a_definition_by_name_or_file() -> None:
    by_name = await tdsl("graph", "booking_saga", "--definitions", "definitions")
    assert by_name.code == 0, by_name.err
    nodes, edges = check_mermaid(by_name.out)
    assert ("s_flight", "s_payment", "") in edges
    by_file = await tdsl("graph", "definitions/booking_saga.yaml", "--format", "dot")
    assert by_file.code == 0, by_file.err
    assert check_dot(by_file.out)[0] == nodes


async def test_mistakes_are_reported() -> None:
    unknown = await tdsl("graph", "nope", "--definitions", "definitions")
    assert (unknown.code, unknown.err) == (2, "tdsl: error: no definition named 'nope' in definitions\n")
    missing = await tdsl("graph", "missing.yaml")
    assert (missing.code, missing.err) == (2, "tdsl: error: no such file: missing.yaml\n")
    nothing = await tdsl("graph")
    assert nothing.code == 2 and "give a definition" in nothing.err


async def test_an_invalid_definition_is_not_drawn(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - {id: a, activity: x, nonsense: 1}\n")
    done = await tdsl("graph", str(bad))
    assert done.code == 1
    assert "the definition is invalid" in done.err and "nonsense" in done.err
    assert done.out == ""


async def test_the_committed_pages_pass_the_check() -> None:
    done = await tdsl("graph", "--all", "--out", "docs/graphs", "--definitions", "definitions", "--check")
    assert (done.code, done.err) == (0, "")


async def test_a_run_over_its_pinned_definition(http: httpx.AsyncClient, temporal_address: str) -> None:
    workflow_id = await finished_run(http, "booking_saga", saga_input(total=15_000))
    done = await tdsl("graph", "--run", workflow_id, "--address", temporal_address)
    assert done.code == 0, done.err
    check_mermaid(done.out)
    assert classes(done.out)["s_payment"] == "failed"
    assert classes(done.out)["s_flight"] == "compensated"
    dot = await tdsl("graph", "--run", workflow_id, "--address", temporal_address, "--format", "dot")
    assert re.search(r'^    s_hotel \[.*fillcolor="#e8dcf5"', dot.out, re.M)
    unknown = await tdsl("graph", "--run", "no-such-run-id", "--address", temporal_address)
    assert unknown.code == 1 and "no-such-run-id" in unknown.err


def test_drawing_a_definition_loads_neither_temporal_nor_the_web_stack() -> None:
    from tests.server.test_cli_lazy import probe

    modules = ("temporalio", "fastapi", "tdsl.server.engine", "tdsl.interpreter", "tdsl.activities")
    assert probe(["graph", "definitions/booking_saga.yaml"], modules, run=True) == {"code": 0, "loaded": []}
