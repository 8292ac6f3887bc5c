"""``tdsl status|result|signal|query|update|cancel|terminate|list`` against the session server."""

from __future__ import annotations

import asyncio
import json

import httpx

from tdsl.server.engine import TemporalEngine
from tests.server.cli import tdsl
from tests.server.helpers import DEFINITIONS, eventually, unique, waiting_for_signal


async def start_gate(engine: TemporalEngine) -> str:
    handle = await engine.workflows.start("gate", {}, workflow_id=unique("gate"))
    await waiting_for_signal(engine.require_runs(), handle.id)
    return handle.id


def connection(address: str) -> tuple[str, ...]:
    return ("--address", address, "--definitions", str(DEFINITIONS))


async def test_status_query_update_signal_and_result(temporal_address: str, engine: TemporalEngine) -> None:
    workflow_id = await start_gate(engine)
    opts = connection(temporal_address)
    status, as_json, running, query, update = await asyncio.gather(
        tdsl("status", workflow_id, *opts),
        tdsl("status", workflow_id, "--json", *opts),
        tdsl("result", workflow_id, *opts),
        tdsl("query", workflow_id, "state", *opts),
        tdsl("update", workflow_id, "note", '{"text": "from the terminal"}', *opts),
    )
    assert status.code == 0, status.err
    lines = status.out.splitlines()
    assert lines[0] == f"{workflow_id}  gate v1  RUNNING"
    assert "  progress    running: 0 step(s) completed" in lines
    assert "  running     decision" in lines
    assert any(line.startswith("  waiting     {") and '"approve", "reject"' in line for line in lines)
    assert json.loads(as_json.out)["progress"]["current_steps"] == ["decision"]
    assert (running.code, running.out) == (3, "")
    assert running.err == f"tdsl: run {workflow_id!r} is still running\n"
    assert (query.code, json.loads(query.out)) == (0, "waiting")
    assert (update.code, json.loads(update.out)) == (0, ["from the terminal"])

    signal = await tdsl("signal", workflow_id, "approve", '{"by": "terminal"}', *opts)
    assert (signal.code, signal.out) == (0, f"signal 'approve' sent to {workflow_id}\n")
    result = await tdsl("result", workflow_id, "--wait", "30", *opts)
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"state": "approved by terminal", "notes": ["from the terminal"]}


async def test_bad_signals_are_refused_with_clear_messages(
    temporal_address: str, engine: TemporalEngine
) -> None:
    workflow_id = await start_gate(engine)
    opts = connection(temporal_address)
    invalid, undeclared, malformed, unknown = await asyncio.gather(
        tdsl("signal", workflow_id, "approve", '{"by": 1}', *opts),
        tdsl("signal", workflow_id, "aprove", *opts),
        tdsl("signal", workflow_id, "approve", "{by: 1}", *opts),
        tdsl("status", "no-such-run", *opts),
    )
    assert invalid.code == 1
    assert invalid.err == (
        "tdsl: error: payload of signal 'approve' does not match its schema\n"
        "  $.by: 1 is not of type 'string'\n"
    )
    assert undeclared.code == 1
    assert undeclared.err == "tdsl: error: 'gate' declares no signal 'aprove' (did you mean 'approve'?)\n"
    assert malformed.code == 2
    assert malformed.err == (
        "tdsl: error: not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)\n"
    )
    assert unknown.code == 1
    assert unknown.err == "tdsl: error: no run with id 'no-such-run'\n"
    await engine.workflows.terminate(workflow_id)


async def test_cancel_terminate_and_the_outcome_of_a_closed_run(
    temporal_address: str, engine: TemporalEngine
) -> None:
    cancelled, terminated = await asyncio.gather(start_gate(engine), start_gate(engine))
    opts = connection(temporal_address)
    cancel, terminate = await asyncio.gather(
        tdsl("cancel", cancelled, *opts), tdsl("terminate", terminated, "--reason", "obsolete", *opts)
    )
    assert (cancel.code, cancel.out) == (0, f"cancellation of {cancelled} requested\n")
    assert (terminate.code, terminate.out) == (0, f"{terminated} terminated\n")
    result, again = await asyncio.gather(
        tdsl("result", cancelled, "--wait", "30", *opts), tdsl("terminate", terminated, *opts)
    )
    assert result.code == 1
    assert result.err.startswith(f"tdsl: run {cancelled!r} CANCELED: Cancelled: ")
    assert json.loads(result.out)["status"] == "CANCELED"
    assert again.code == 1
    assert again.err == f"tdsl: error: run {terminated!r} is TERMINATED; it takes no termination\n"


async def test_list_groups_recent_runs_by_definition(
    temporal_address: str, engine: TemporalEngine, http: httpx.AsyncClient
) -> None:
    gate = await start_gate(engine)
    key = unique("k")
    await engine.workflows.execute("greeting", {"key": key, "email": "ada@example.com"}, timeout_seconds=30)
    runs = engine.require_runs()

    async def visible() -> bool:
        listed = {r["workflow_id"] for r in await runs.list_runs(limit=200)}
        return {gate, f"greeting-{key}"} <= listed

    await eventually(visible, what="both runs in the visibility store")
    listing = await tdsl("list", "--limit", "200", *connection(temporal_address))
    assert listing.code == 0, listing.err
    lines = listing.out.splitlines()
    gate_line = next(i for i, line in enumerate(lines) if line.strip().startswith(gate))
    greeting_line = next(i for i, line in enumerate(lines) if line.strip().startswith(f"greeting-{key}"))
    assert lines[max(i for i, line in enumerate(lines[:gate_line]) if not line.startswith(" "))] == "gate"
    assert (
        lines[max(i for i, line in enumerate(lines[:greeting_line]) if not line.startswith(" "))]
        == "greeting"
    )
    assert "RUNNING" in lines[gate_line]
    assert "COMPLETED" in lines[greeting_line]
    only = await tdsl(
        "list",
        "--definition",
        "gate",
        "--status",
        "running",
        "--json",
        "--limit",
        "200",
        *connection(temporal_address),
    )
    found = json.loads(only.out)
    assert {r["workflow_type"] for r in found} == {"gate"}
    assert gate in {r["workflow_id"] for r in found}
    await engine.workflows.terminate(gate)
