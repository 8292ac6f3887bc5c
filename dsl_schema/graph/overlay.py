"""Lay a run's step states over a definition's graph: completed, running, failed, skipped, compensated.

What a run did comes from two sources, gathered into a :class:`RunTrace` by the server
(``tdsl.server.graph``): its history (each activity, timer and child run carries the step path as its
summary: ``charge``, ``orders[3]/charge``, ``hotel.compensate``, ``wait#2: wait 5m``) and its built-in
``__progress`` answer (steps completed and running, compensations run). Nothing here talks to Temporal.

A step skipped by its ``if`` leaves no trace; it is shown skipped when the run went past it: a later step of
its list was reached, or an earlier one was and the enclosing step finished, or it is a top-level step and
the run completed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .model import Graph, Node

__all__ = ["RunTrace", "overlay", "step_of_summary"]

_ITERATION = re.compile(r"\[\d+\]")
COMPENSATE_SUFFIX = ".compensate"


def step_of_summary(summary: str) -> tuple[str, bool]:
    """The step path a history event's summary names (without loop iterations), and whether it is the
    step's compensation."""
    head = summary.split(": ", 1)[0]
    path = _ITERATION.sub("", head)
    if path.endswith(COMPENSATE_SUFFIX):
        return path[: -len(COMPENSATE_SUFFIX)], True
    return path, False


@dataclass
class RunTrace:
    """What a run did, by step path (loop iterations folded): ``status`` is the run's status (``RUNNING``,
    ``COMPLETED``, ``FAILED``, ...); ``compensations`` the status of each step's compensation
    (``completed`` or ``failed``)."""

    status: str
    completed: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    compensations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        status: str,
        progress: Mapping[str, Any] | None = None,
        calls: Iterable[tuple[str, str]] = (),
        failed_step: str | None = None,
    ) -> RunTrace:
        """A trace from the run's ``status``, its ``__progress`` answer (when a worker gave one), its
        history's ``calls`` as (summary, outcome: ``scheduled``, ``completed`` or ``failed``) in history
        order, and the step its error names."""
        trace = cls(status)
        progress = progress or {}
        trace.completed.update(_ITERATION.sub("", str(p)) for p in progress.get("completed_steps") or ())
        trace.running.update(_ITERATION.sub("", str(p)) for p in progress.get("current_steps") or ())
        for record in progress.get("compensations") or ():
            if isinstance(record, Mapping) and isinstance(record.get("step"), str):
                trace.compensations[_ITERATION.sub("", record["step"])] = str(record.get("status"))
        open_calls: dict[str, int] = {}
        for summary, outcome in calls:
            path, compensation = step_of_summary(summary)
            if compensation:
                if outcome in ("completed", "failed"):
                    trace.compensations[path] = outcome
                continue
            if outcome == "scheduled":
                open_calls[path] = open_calls.get(path, 0) + 1
                continue
            open_calls[path] = max(open_calls.get(path, 0) - 1, 0)
            (trace.completed if outcome == "completed" else trace.failed).add(path)
        if status == "RUNNING":
            trace.running.update(path for path, count in open_calls.items() if count)
        if failed_step:
            trace.failed.add(_ITERATION.sub("", failed_step).split(COMPENSATE_SUFFIX)[0])
        trace.failed -= trace.completed  # a call that failed and then succeeded on a later iteration
        return trace


def _state(path: str, trace: RunTrace) -> str | None:
    if trace.compensations.get(path) == "completed":
        return "compensated"
    if path in trace.failed:
        return "failed"
    if path in trace.running:
        return "running"
    if path in trace.completed:
        return "completed"
    return None


def _prefix(path: str) -> str:
    return path.rpartition("/")[0]


def _parent(path: str, paths: Iterable[str]) -> str | None:
    """The enclosing step of a path: the longest step path that its list's prefix starts with."""
    prefix = _prefix(path)
    found = [p for p in paths if prefix == p or prefix.startswith(p + "/")]
    return max(found, key=len) if found else None


def overlay(graph: Graph, trace: RunTrace) -> Graph:
    """A copy of ``graph`` with the run's state of each node (see :data:`~.model.STATES`)."""
    steps = [node for node in graph.nodes if node.role == "step" and node.path is not None]
    by_path: dict[str, Node] = {node.path: node for node in steps if node.path is not None}
    paths = list(by_path)  # document order
    states: dict[str, str] = {}
    for path, node in by_path.items():
        state = _state(path, trace)
        if state is not None:
            states[node.id] = state

    def later_reached(path: str) -> bool:
        """Whether a later step of the same list was reached (so the run went past this one)."""
        siblings = [p for p in paths if _prefix(p) == _prefix(path)]
        return any(by_path[p].id in states for p in siblings[siblings.index(path) + 1:])

    # An enclosing step is as far as the steps inside it (inner and later steps first: reverse order).
    for path in reversed(paths):
        node = by_path[path]
        if node.id in states:
            continue
        inner = [states.get(by_path[p].id) for p in paths if p.startswith(path + "/")]
        if "running" in inner:
            states[node.id] = "running"
        elif "failed" in inner and trace.status != "RUNNING" and not later_reached(path):
            states[node.id] = "failed"
        elif any(inner):
            done = trace.status != "RUNNING" or later_reached(path)
            states[node.id] = "completed" if done else "running"
    reached = {node.path for node in steps if node.id in states}
    for decision in (node for node in graph.nodes if node.role == "if"):
        yes = [graph.node(e.target) for e in graph.edges_from(decision.id) if e.label == "yes"]
        guarded = yes[0] if yes else None
        if guarded is None or guarded.id in states or guarded.path is None:
            continue
        path = guarded.path
        order = [node.path for node in steps if node.path is not None and _prefix(node.path) == _prefix(path)]
        position = order.index(path)
        later = any(p in reached for p in order[position + 1:])
        parent = _parent(path, by_path)
        parent_done = (states.get(by_path[parent].id) in ("completed", "compensated") if parent is not None
                       else trace.status == "COMPLETED")
        earlier = any(p in reached for p in order[:position]) or parent is None
        if later or (parent_done and earlier):
            states[guarded.id] = "skipped"
    for edge in graph.edges:
        if edge.style == "dashed":  # a step's compensation node
            source = graph.node(edge.source)
            status = trace.compensations.get(source.path or "")
            if status is not None:
                states[edge.target] = "compensated" if status == "completed" else "failed"
    return replace(graph, nodes=list(graph.nodes), edges=list(graph.edges), states=states)
