"""The graph of a run: the definition it is pinned to, drawn with what the run did (``tdsl graph --run``,
``GET /runs/{id}/graph``).

The definition is the one in the run's start input (:mod:`tdsl.server.gateway.pinned`), never today's file;
what the run did comes from its history (activities, timers and child runs name their step in their summary)
and its built-in ``__progress`` answer, gathered into a :class:`~tdsl.dsl_schema.graph.RunTrace`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from temporalio.api.history.v1 import HistoryEvent

from tdsl.dsl_schema.graph import Graph, RunTrace, build_graph, overlay

from ..errors import UnknownDefinition
from ..gateway.inspecting import RunInspector
from ..run_types import RunStatus

__all__ = ["calls_of", "event_summary", "failure_facts", "run_graph"]

# The attribute of each history event that starts a call, and of those that end one (with the field naming
# the starting event, and the outcome it means).
_STARTS = {
    "activity_task_scheduled_event_attributes",
    "start_child_workflow_execution_initiated_event_attributes",
    "timer_started_event_attributes",
}
_ENDS: dict[str, tuple[str, str]] = {
    "activity_task_completed_event_attributes": ("scheduled_event_id", "completed"),
    "activity_task_failed_event_attributes": ("scheduled_event_id", "failed"),
    "activity_task_timed_out_event_attributes": ("scheduled_event_id", "failed"),
    "activity_task_canceled_event_attributes": ("scheduled_event_id", "failed"),
    "child_workflow_execution_completed_event_attributes": ("initiated_event_id", "completed"),
    "child_workflow_execution_failed_event_attributes": ("initiated_event_id", "failed"),
    "child_workflow_execution_timed_out_event_attributes": ("initiated_event_id", "failed"),
    "child_workflow_execution_canceled_event_attributes": ("initiated_event_id", "failed"),
    "child_workflow_execution_terminated_event_attributes": ("initiated_event_id", "failed"),
    "start_child_workflow_execution_failed_event_attributes": ("initiated_event_id", "failed"),
    "timer_fired_event_attributes": ("started_event_id", "completed"),
}


def event_summary(event: HistoryEvent) -> str | None:
    """The event's summary (a JSON string payload, as the SDK writes it)."""
    if not event.HasField("user_metadata") or not event.user_metadata.HasField("summary"):
        return None
    try:
        value = json.loads(event.user_metadata.summary.data)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def calls_of(events: Iterable[HistoryEvent]) -> Iterator[tuple[str, str]]:
    """(summary, ``scheduled``/``completed``/``failed``) of every activity, child run and timer in a
    history, in order."""
    started: dict[int, str] = {}
    for event in events:
        which = event.WhichOneof("attributes")
        if which in _STARTS:
            summary = event_summary(event)
            if summary is not None:
                started[event.event_id] = summary
                yield summary, "scheduled"
        elif which in _ENDS:
            field, outcome = _ENDS[which]
            summary = started.get(getattr(getattr(event, which), field))
            if summary is not None:
                yield summary, outcome


def failure_facts(error: Mapping[str, Any] | None) -> tuple[str | None, list[Any]]:
    """The failed step and the compensation records a failed DSL run reports in its error's details
    (``{"error": {..., "step": ...}, "compensations": [...]}``); nothing for another shape."""
    details = (error or {}).get("details")
    first = details[0] if isinstance(details, list) and details else None
    if not isinstance(first, Mapping):
        return None, []
    inner = first.get("error")
    step = inner.get("step") if isinstance(inner, Mapping) else None
    compensations = first.get("compensations")
    return (step if isinstance(step, str) else None,
            list(compensations) if isinstance(compensations, list) else [])


async def run_graph(inspector: RunInspector, workflow_id: str) -> Graph:
    """The graph of the run's pinned definition with the run's states; :class:`UnknownRun` for an unknown
    id, :class:`UnknownDefinition` for a run that carries no definition (a code workflow)."""
    info = await inspector.info(workflow_id, progress=True)
    pinned = await inspector.pinned(info)
    if pinned is None:
        raise UnknownDefinition(f"run {workflow_id!r} is not a run of a YAML definition: it has no graph")
    history = await inspector.history(workflow_id, info.run_id)
    progress: dict[str, Any] = dict(info.progress or {})
    failed_step = None
    if info.status is RunStatus.FAILED:
        # The run's error names the step that failed (a ``fail`` step leaves no other trace) and the
        # compensations it ran (also when no worker answers the progress query).
        failed_step, compensations = failure_facts((await inspector.outcome(workflow_id, timeout=0)).error)
        progress.setdefault("compensations", compensations)
    trace = RunTrace.of(info.status.value, progress, calls_of(history.events), failed_step)
    return overlay(build_graph(pinned.data), trace)
