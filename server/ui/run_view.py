"""Everything the inspector shows about one run, in one answer: status, input, outcome, the pinned
definition's graph with the run's states, each step's calls (attempts, errors), the saga timeline, pending
waits, and the run's declared signals, queries and updates with their schemas.

It reads what ``tdsl graph --run`` reads (:mod:`tdsl.server.graph`): the run's description and
``__progress``, its pinned start input and its history; the history is fetched once and serves both the
overlay and the step details.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from temporalio.api.history.v1 import HistoryEvent

from tdsl.dsl_schema.graph import RunTrace, build_graph, overlay
from tdsl.dsl_schema.graph.overlay import step_of_summary

from ..gateway.inspecting import RunInspector
from ..gateway.pinned import HANDLER_KINDS
from ..graph import calls_of, event_summary, failure_facts
from ..run_types import RunInfo, RunOutcome, RunStatus
from .graph_data import graph_json

__all__ = ["run_view", "saga_timeline", "step_calls", "temporal_ui_link"]

_ITERATION = re.compile(r"\[\d+\]")

# The page asks for an open run's view every second: keep the last history of recent runs and fetch it
# again only when the run's history has grown.
_HISTORIES: OrderedDict[tuple[str, str | None], tuple[int | None, list[HistoryEvent]]] = OrderedDict()
_HISTORIES_KEPT = 32


async def _events(inspector: RunInspector, info: RunInfo) -> list[HistoryEvent]:
    key = (info.workflow_id, info.run_id)
    kept = _HISTORIES.get(key)
    if kept is not None and info.history_length is not None and kept[0] == info.history_length:
        _HISTORIES.move_to_end(key)
        return kept[1]
    events = list((await inspector.history(info.workflow_id, info.run_id)).events)
    _HISTORIES[key] = (info.history_length, events)
    _HISTORIES.move_to_end(key)
    while len(_HISTORIES) > _HISTORIES_KEPT:
        _HISTORIES.popitem(last=False)
    return events


def temporal_ui_link(base: str, namespace: str, workflow_id: str, run_id: str | None = None) -> str:
    """The run's page in Temporal's Web UI."""
    ns, wf = quote(namespace, safe=""), quote(workflow_id, safe="")
    link = f"{base.rstrip('/')}/namespaces/{ns}/workflows/{wf}"
    return f"{link}/{quote(run_id, safe='')}/history" if run_id else link


def _time(event: HistoryEvent) -> str | None:
    if not event.HasField("event_time"):
        return None
    return event.event_time.ToDatetime().isoformat() + "Z"


def step_calls(events: Iterable[HistoryEvent]) -> list[dict[str, Any]]:
    """Every activity, timer and child run of a history, in order: its summary, step path (iterations
    folded), whether it is a compensation, what it ran, its outcome, last attempt, error message and times."""
    calls: list[dict[str, Any]] = []
    by_event: dict[int, dict[str, Any]] = {}
    for event in events:
        which = event.WhichOneof("attributes")
        if which is None:
            continue
        attrs = getattr(event, which)
        if which in (
            "activity_task_scheduled_event_attributes",
            "timer_started_event_attributes",
            "start_child_workflow_execution_initiated_event_attributes",
        ):
            summary = event_summary(event)
            if summary is None:
                continue
            path, compensation = step_of_summary(summary)
            what = (
                f"activity {attrs.activity_type.name}" if which.startswith("activity")
                else f"child {attrs.workflow_type.name}" if which.startswith("start_child")
                else "timer"
            )
            call = {
                "summary": summary,
                "step": path,
                "compensation": compensation,
                "what": what,
                "outcome": "waiting" if what == "timer" else "scheduled",
                "attempt": 1,
                "error": None,
                "started": _time(event),
                "closed": None,
                "activity_id": getattr(attrs, "activity_id", None),
            }
            calls.append(call)
            by_event[event.event_id] = call
            continue
        link = (
            getattr(attrs, "scheduled_event_id", 0)
            or getattr(attrs, "initiated_event_id", 0)
            or getattr(attrs, "started_event_id", 0)
        )
        found = by_event.get(link) if link else None
        if found is None:
            continue
        if which == "activity_task_started_event_attributes":
            found["attempt"] = attrs.attempt
            found["outcome"] = "running"
            continue
        if which.endswith("_completed_event_attributes") or which == "timer_fired_event_attributes":
            found["outcome"] = "completed"
        elif which == "timer_canceled_event_attributes":
            found["outcome"] = "canceled"
        else:
            found["outcome"] = "failed"
            failure = getattr(attrs, "failure", None)
            if failure is not None and failure.message:
                cause = failure.cause.message if failure.HasField("cause") else ""
                found["error"] = f"{failure.message}: {cause}" if cause else failure.message
        found["closed"] = _time(event)
    return calls


def _pending_activities(description: Any) -> dict[str, dict[str, Any]]:
    """Attempt and last failure of activities still retrying, by activity id."""
    found: dict[str, dict[str, Any]] = {}
    for pending in getattr(description, "pending_activities", ()):
        last = pending.last_failure.message if pending.HasField("last_failure") else None
        found[pending.activity_id] = {"attempt": pending.attempt, "error": last}
    return found


def _handlers(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    handlers: dict[str, dict[str, Any]] = {}
    for kind, key in HANDLER_KINDS.items():
        declared = data.get(key)
        handlers[key] = {
            str(name): {
                "description": decl.get("description") if isinstance(decl, Mapping) else None,
                "schema": decl.get("schema") if isinstance(decl, Mapping) and kind != "query" else None,
            }
            for name, decl in (declared.items() if isinstance(declared, Mapping) else ())
        }
    return handlers


async def run_view(
    inspector: RunInspector, workflow_id: str, *, temporal_ui: str, namespace: str
) -> dict[str, Any]:
    """The inspector's view of the latest run with ``workflow_id`` (``UnknownRun`` when there is none)."""
    info = await inspector.info(workflow_id, progress=True)
    view: dict[str, Any] = {
        **info.as_dict(),
        "temporal_ui": temporal_ui_link(temporal_ui, namespace, info.workflow_id, info.run_id),
    }
    outcome = (
        RunOutcome(info.workflow_id, RunStatus.RUNNING) if info.status.is_open
        else await inspector.outcome(workflow_id, timeout=0)
    )
    view["outcome"] = outcome.as_dict()
    pinned = await inspector.pinned(info)
    if pinned is None:  # a code workflow: no graph, no declared handlers
        view.update(graph=None, steps={}, saga=[], waits=[], input=None, handlers=None)
        return view
    start = await inspector.start_input(info.workflow_id, info.run_id)
    payload = start[0] if start and isinstance(start[0], Mapping) else {}
    source = payload.get("source") if isinstance(payload.get("source"), Mapping) else None
    events = await _events(inspector, info)
    progress: dict[str, Any] = dict(info.progress or {})
    failed_step = None
    if info.status is RunStatus.FAILED:
        failed_step, compensations = failure_facts(outcome.error)
        progress.setdefault("compensations", compensations)
    trace = RunTrace.of(info.status.value, progress, calls_of(events), failed_step)
    graph = overlay(build_graph(pinned.data), trace)
    calls = step_calls(events)
    if info.status.is_open:
        try:
            description = await inspector.handle(info.workflow_id, info.run_id).describe()
            retrying = _pending_activities(description.raw_description)
        except Exception:  # the run closed meanwhile: the history says it all
            retrying = {}
        for call in calls:
            live = retrying.get(call.get("activity_id") or "")
            if live is not None and call["outcome"] in ("scheduled", "running"):
                call.update(attempt=live["attempt"], error=live["error"], outcome="running")
    lines = (source or {}).get("lines") or {}
    steps: dict[str, dict[str, Any]] = {}
    for node in graph.nodes:
        if node.path is not None and node.role == "step":
            steps[node.path] = {
                "state": graph.states.get(node.id),
                "line": lines.get(node.path),
                "calls": [c for c in calls if c["step"] == node.path and not c["compensation"]],
            }
    view.update(
        input=payload.get("input"),
        file=(source or {}).get("file"),
        graph=graph_json(graph, source),
        steps=steps,
        saga=saga_timeline(progress.get("compensations") or [], calls),
        waits=list(progress.get("pending_waits") or []),
        handlers=_handlers(pinned.data),
        progress=progress or None,
    )
    return view


def saga_timeline(records: Iterable[Any], calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The compensations run, in the order they ran, with their outcome and times from the history."""
    compensating = [c for c in calls if c["compensation"]]
    timeline = []
    for order, record in enumerate(r for r in records if isinstance(r, Mapping)):
        step = str(record.get("step", ""))
        folded = _ITERATION.sub("", step)
        call = next((c for c in compensating if c["step"] == folded), None)
        if call is not None:
            compensating.remove(call)
        error = record.get("error")
        timeline.append(
            {
                "order": order + 1,
                "step": step,
                "activity": record.get("activity"),
                "status": record.get("status"),
                "error": error.get("message") if isinstance(error, Mapping) else error,
                "attempt": call["attempt"] if call else None,
                "started": call["started"] if call else None,
                "closed": call["closed"] if call else None,
            }
        )
    # Compensations still running (no record yet) come last, in the order they started.
    for call in compensating:
        timeline.append(
            {
                "order": len(timeline) + 1,
                "step": call["step"],
                "activity": call["what"].removeprefix("activity "),
                "status": "running" if call["outcome"] in ("scheduled", "running") else call["outcome"],
                "error": call["error"],
                "attempt": call["attempt"],
                "started": call["started"],
                "closed": call["closed"],
            }
        )
    return timeline
