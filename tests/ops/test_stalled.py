"""A run that is not progressing says why in its status (engine, HTTP, ``tdsl status``): no worker on its
task queue, a workflow task failing again and again, an activity retrying, a start delay not reached yet. A
terminated run's status shows no running step nor pending wait."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from tdsl.server.cli.ops_cmd import format_status
from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tdsl.server.run_types import RunInfo
from tdsl.server.worker import build_worker
from tests.server.helpers import make_settings, waiting_for_signal
from tests.support import eventually, example_registry

from .workflows import KeepsFailing, ops_fail


@pytest.fixture
async def engine(client: Client, task_queue: str) -> AsyncIterator[TemporalEngine]:
    engine = TemporalEngine(settings=make_settings(task_queue), client=client)
    engine.workers.register_workflow(KeepsFailing)
    engine.activities.add(ops_fail, name="ops_fail")
    await engine.start()
    yield engine
    await engine.stop()


def _reasons(info: RunInfo) -> list[str]:
    return [stall["reason"] for stall in info.stalled or []]


async def _stalled(engine: TemporalEngine, workflow_id: str, reason: str) -> RunInfo:
    async def check() -> RunInfo | None:
        info = await engine.workflows.get_status(workflow_id)
        return info if reason in _reasons(info) else None

    return await eventually(check, timeout=20, what=f"{workflow_id} to be reported {reason}")


async def test_a_run_without_a_worker(engine: TemporalEngine) -> None:
    started = await engine.workflows.start("gate", args={}, task_queue=f"nobody-{uuid.uuid4().hex[:6]}")
    try:
        info = await _stalled(engine, started.id, "no_workflow_worker")
        message = info.stalled[0]["message"] if info.stalled else ""
        assert message.startswith(f"no worker polls task queue {info.task_queue!r} for workflow tasks")
        assert f"STALLED     {message}" in format_status(info)
    finally:
        await engine.workflows.terminate(started.id)


async def test_a_workflow_task_failing_again_and_again(engine: TemporalEngine, client: Client) -> None:
    # A code workflow (``Double``) on a queue only a DSL worker polls: its task fails on every attempt.
    queue = f"dsl-only-{uuid.uuid4().hex[:6]}"
    async with build_worker(client, queue, example_registry()):
        workflow_id = f"double-{uuid.uuid4().hex[:8]}"
        handle = await client.start_workflow("Double", 2, id=workflow_id, task_queue=queue)
        try:
            info = await _stalled(engine, handle.id, "workflow_task_failing")
            stall = next(s for s in info.stalled or [] if s["reason"] == "workflow_task_failing")
            assert stall["details"]["attempt"] >= 2
            assert "ForeignWorkflowType: workflow type 'Double' is not a definition run" in stall["message"]
        finally:
            await handle.terminate()


async def test_an_activity_retrying(engine: TemporalEngine) -> None:
    started = await engine.workflows.start("KeepsFailing")
    try:
        info = await _stalled(engine, started.id, "activity_retrying")
        stall = next(s for s in info.stalled or [] if s["reason"] == "activity_retrying")
        assert stall["details"]["activity"] == "ops_fail"
        assert stall["details"]["attempt"] >= 2
        assert "RuntimeError: the ledger is locked" in stall["details"]["last_failure"]
        transport = httpx.ASGITransport(app=create_app(engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            answer: dict[str, Any] = (await http.get(f"/runs/{started.id}")).json()
        assert "activity_retrying" in [s["reason"] for s in answer["stalled"]]
    finally:
        await engine.workflows.terminate(started.id)


async def test_a_start_delay_not_reached(engine: TemporalEngine) -> None:
    started = await engine.workflows.schedule("gate", args={}, delay_seconds=3600)
    try:
        info = await engine.workflows.get_status(started.id)
        assert _reasons(info) == ["start_delayed"]
        assert info.stalled and "its first step runs at" in info.stalled[0]["message"]
    finally:
        await engine.workflows.terminate(started.id)


async def test_a_terminated_run_runs_and_waits_for_nothing(engine: TemporalEngine) -> None:
    started = await engine.workflows.start("gate", args={})
    runs = engine.require_runs()
    await waiting_for_signal(runs, started.id)
    await engine.workflows.terminate(started.id, reason="test over")
    info = await engine.workflows.get_status(started.id, progress=True)
    assert info.status.value == "TERMINATED"
    assert info.progress is not None
    assert info.progress["current_steps"] == [] and info.progress["pending_waits"] == []
    assert info.progress["stopped_in"] == ["decision"]
    assert info.error is not None and info.error["type"] == "Terminated"
    text = format_status(info)
    assert "running " not in text and "waiting " not in text
    assert "stopped in  decision" in text
