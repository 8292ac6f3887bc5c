"""A code-defined workflow on a task queue it shares with a DSL-only worker (``tdsl dev`` on the guide's
``task_queue: "default"``): the DSL worker never fails such a run, it fails the workflow *task* so that the
engine's worker, which knows the type, takes it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.worker import Worker

from tdsl.server.config import TemporalSettings
from tdsl.server.connection import connect
from tdsl.server.engine import TemporalEngine
from tdsl.server.worker import build_worker
from tests.server.helpers import make_settings
from tests.support import eventually, example_registry

from .workflows import Double


@pytest.fixture
async def dsl_only(temporal_address: str, task_queue: str) -> AsyncIterator[Worker]:
    """What ``tdsl dev`` runs on the queue, as another process would: a client of its own (one client may
    not run two workers of one queue)."""
    dev_client = await connect(TemporalSettings(url=temporal_address))
    worker = build_worker(dev_client, task_queue, example_registry())
    async with worker:
        yield worker


async def _events(handle: WorkflowHandle[object, object]) -> list[EventType.ValueType]:
    return [event.event_type async for event in handle.fetch_history_events()]


async def test_a_dsl_worker_alone_fails_the_task_of_a_code_workflow_not_the_run(
    client: Client, task_queue: str, dsl_only: Worker
) -> None:
    workflow_id = f"double-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow("Double", 1, id=workflow_id, task_queue=task_queue)
    try:
        events = await eventually(lambda: _task_failed(handle), what="the DSL worker to refuse the task")
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED not in events
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    finally:
        await handle.terminate("test over")


async def _task_failed(handle: WorkflowHandle[object, object]) -> list[EventType.ValueType] | None:
    events = await _events(handle)
    return events if EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED in events else None


async def test_code_workflows_complete_on_a_queue_shared_with_a_dsl_worker(
    client: Client, task_queue: str, dsl_only: Worker
) -> None:
    engine = TemporalEngine(settings=make_settings(task_queue), client=client)
    engine.workers.register_workflow(Double)
    await engine.start()
    try:
        handles = [
            await client.start_workflow(
                "Double", n, id=f"double-{uuid.uuid4().hex[:8]}", task_queue=task_queue
            )
            for n in range(3)
        ]
        # Each run is taken by either worker; the DSL worker hands its tasks back, so none fails.
        results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 120)
    finally:
        await engine.stop()
    assert results == [0, 2, 4]
