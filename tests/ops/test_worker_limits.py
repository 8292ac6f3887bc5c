"""The worker keys do what their names say: ``activities_per_second`` limits activity starts across the task
queue (timed from ActivityTaskStarted events, not the wall clock), and ``max_concurrent_workflows: 1`` does
not starve the runs' workflow tasks."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from tdsl.server.engine import TemporalEngine
from tests.server.helpers import make_settings

from .workflows import FanOut, OneSecond, ops_noop, ops_pause


def _engine(client: Client, task_queue: str, **worker: object) -> TemporalEngine:
    settings = make_settings(task_queue)
    settings.temporal.worker = settings.temporal.worker.model_copy(update=worker)
    engine = TemporalEngine(settings=settings, client=client)
    engine.workers.register_workflow(FanOut)
    engine.workers.register_workflow(OneSecond)
    engine.activities.add(ops_noop, name="ops_noop")
    engine.activities.add(ops_pause, name="ops_pause")
    return engine


async def _times(handle: WorkflowHandle[object, object], kind: EventType.ValueType) -> list[datetime]:
    return [e.event_time.ToDatetime() async for e in handle.fetch_history_events() if e.event_type == kind]


async def test_activities_per_second_limits_starts_across_the_queue(client: Client, task_queue: str) -> None:
    engine = _engine(client, task_queue, activities_per_second=2)
    await engine.start()
    try:
        fan_id = f"fan-{uuid.uuid4().hex[:8]}"
        handle = await client.start_workflow("FanOut", 6, id=fan_id, task_queue=task_queue)
        assert await handle.result() == 6
    finally:
        await engine.stop()
    started = sorted(await _times(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED))
    assert len(started) == 6
    # Six starts at two a second: whatever the burst, the last starts well after the first.
    assert (started[-1] - started[0]).total_seconds() >= 1.4


async def test_one_concurrent_workflow_task_does_not_starve_runs(client: Client, task_queue: str) -> None:
    engine = _engine(client, task_queue, max_concurrent_workflows=1)
    await engine.start()
    try:
        handles = [
            await client.start_workflow(
                "OneSecond", 0.5, id=f"one-{uuid.uuid4().hex[:8]}", task_queue=task_queue
            )
            for _ in range(3)
        ]
        assert await asyncio.gather(*(h.result() for h in handles)) == [0.5, 0.5, 0.5]
    finally:
        await engine.stop()
    for handle in handles:
        # No workflow task waited out a timeout (the sticky queue's schedule-to-start) for a free slot.
        timed_out = await _times(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
        assert timed_out == [], handle.id
        events = [e async for e in handle.fetch_history_events()]
        span = (events[-1].event_time.ToDatetime() - events[0].event_time.ToDatetime()).total_seconds()
        assert span < 5, (handle.id, span)
