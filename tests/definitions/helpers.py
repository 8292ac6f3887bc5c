"""Helpers for the definition tests: waiting for a run to reach a point, and reading its history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle

from tdsl.interpreter import PROGRESS_QUERY
from tests.support import eventually


def unique(prefix: str) -> str:
    """A fresh business id, so templated workflow ids never meet runs of other tests on the shared server."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"



async def progress(handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
    """The run's built-in progress."""
    return await handle.query(PROGRESS_QUERY)


async def wait_for_step(
    handle: WorkflowHandle[Any, Any], step: str, *, timeout: float = 10.0
) -> dict[str, Any]:
    """Wait until ``step`` is among the run's current steps; returns the progress seen then."""

    async def running() -> dict[str, Any] | None:
        seen = await progress(handle)
        return seen if step in seen["current_steps"] else None

    return await eventually(running, timeout=timeout, what=f"step {step!r} to be running")


async def wait_for_signal_wait(handle: WorkflowHandle[Any, Any], *, timeout: float = 10.0) -> dict[str, Any]:
    """Wait until the run waits for a signal; returns that pending wait."""

    async def waiting() -> dict[str, Any] | None:
        waits = (await progress(handle))["pending_waits"]
        return next((w for w in waits if w["kind"] == "signal"), None)

    return await eventually(waiting, timeout=timeout, what="a signal wait")


@dataclass(frozen=True)
class ActivityRun:
    """One activity of a run's history: when it was scheduled and how it ended."""

    name: str
    scheduled_id: int
    scheduled_at: datetime
    closed_id: int | None = None
    outcome: str | None = None  # completed, failed, timed_out, canceled


async def events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


def event_types(history: list[HistoryEvent]) -> list[str]:
    return [EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in history]


_CLOSING = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: ("activity_task_completed_event_attributes", "completed"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: ("activity_task_failed_event_attributes", "failed"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: ("activity_task_timed_out_event_attributes", "timed_out"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: ("activity_task_canceled_event_attributes", "canceled"),
}


def activities(history: list[HistoryEvent]) -> list[ActivityRun]:
    """Every activity the run scheduled, in scheduling order, with its outcome."""
    runs: dict[int, ActivityRun] = {}
    for event in history:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            runs[event.event_id] = ActivityRun(
                attrs.activity_type.name, event.event_id, event.event_time.ToDatetime()
            )
        elif event.event_type in _CLOSING:
            field, outcome = _CLOSING[event.event_type]
            scheduled = getattr(event, field).scheduled_event_id
            old = runs[scheduled]
            runs[scheduled] = ActivityRun(
                old.name, old.scheduled_id, old.scheduled_at, event.event_id, outcome
            )
    return list(runs.values())


def max_in_flight(history: list[HistoryEvent], name: str) -> int:
    """The largest number of ``name`` activities scheduled and not yet closed at any point of the history."""
    open_ids: set[int] = set()
    largest = 0
    for event in history:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            if event.activity_task_scheduled_event_attributes.activity_type.name == name:
                open_ids.add(event.event_id)
                largest = max(largest, len(open_ids))
        elif event.event_type in _CLOSING:
            open_ids.discard(getattr(event, _CLOSING[event.event_type][0]).scheduled_event_id)
    return largest


def first_event(history: list[HistoryEvent], event_type: int) -> HistoryEvent:
    return next(e for e in history if e.event_type == event_type)


def timer_seconds(history: list[HistoryEvent]) -> list[float]:
    """The durations of the timers the run started, in order."""
    return [
        e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
        for e in history
        if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED
    ]
