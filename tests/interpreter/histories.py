"""Reading run histories in tests: events by type, the summaries a person sees in the Web UI, and how many
activities were in flight at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle
from temporalio.converter import DataConverter


async def events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    """Every event of the run ``handle`` points at (its first run unless it carries a run id)."""
    return [event async for event in handle.fetch_history_events()]


def of_type(found: Iterable[HistoryEvent], *types: int) -> list[HistoryEvent]:
    return [event for event in found if event.event_type in types]


def type_names(found: Iterable[HistoryEvent]) -> list[str]:
    return [EventType.Name(event.event_type).removeprefix("EVENT_TYPE_") for event in found]


def summary(event: HistoryEvent) -> str | None:
    """The summary the Web UI shows for an event (activity, timer, child), ``None`` when it has none."""
    if not event.HasField("user_metadata") or not event.user_metadata.HasField("summary"):
        return None
    value = DataConverter.default.payload_converter.from_payloads([event.user_metadata.summary])[0]
    return str(value)


def summaries(found: Iterable[HistoryEvent], event_type: int) -> list[str | None]:
    return [summary(event) for event in of_type(found, event_type)]


def activity_names(found: Iterable[HistoryEvent]) -> list[str]:
    """Names of the scheduled activities, in order."""
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in of_type(found, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    ]


_ACTIVITY_CLOSED = (
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
)


def max_outstanding_activities(found: Iterable[HistoryEvent]) -> int:
    """The most activities the run had scheduled and not yet seen close, at any point of its history."""
    outstanding = peak = 0
    for event in found:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            outstanding += 1
            peak = max(peak, outstanding)
        elif event.event_type in _ACTIVITY_CLOSED:
            outstanding -= 1
    return peak


async def wait_for_event(
    handle: WorkflowHandle[Any, Any],
    event_type: EventType.ValueType,
    *,
    count: int = 1,
    timeout: float = 30.0,
) -> HistoryEvent:
    """Wait until the run's history holds ``count`` events of ``event_type``; return the last of them."""

    async def scan() -> HistoryEvent:
        seen = 0
        async for event in handle.fetch_history_events(wait_new_event=True):
            if event.event_type == event_type:
                seen += 1
                if seen == count:
                    return event
        raise AssertionError(f"the run closed before {count} {EventType.Name(event_type)} event(s)")

    return await asyncio.wait_for(scan(), timeout)


async def run_chain(client: Client, workflow_id: str, run_id: str) -> list[list[HistoryEvent]]:
    """The histories of a run and of every run it continued as, in order."""
    chain: list[list[HistoryEvent]] = []
    next_run: str | None = run_id
    while next_run:
        found = await events(client.get_workflow_handle(workflow_id, run_id=next_run))
        chain.append(found)
        last = found[-1]
        continued = last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        next_run = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if continued
            else None
        )
    return chain


async def assert_replays(client: Client, workflow_id: str, run_id: str | None = None) -> None:
    """Replay the run's history against the current interpreter: it must issue the same commands
    (raises on any non-determinism)."""
    from temporalio.worker import Replayer

    from tdsl.interpreter import DSLWorkflow, workflow_runner

    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    await Replayer(workflows=[DSLWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
