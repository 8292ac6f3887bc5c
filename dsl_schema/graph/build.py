"""Build the :class:`~.model.Graph` of a definition (given as plain data, as compiled and validated).

The walk knows no step kind by name: each step's kind comes from :func:`~..kinds.kind_of`, its nested step
lists (and their run-time path segments) from :func:`~..kinds.base.nested_step_lists`, and how it is drawn
from its declaration's :class:`~..kinds.base.Drawing` (shape, layout, join, compensation) and facts. Node
ids derive from the steps' run-time paths (the names progress and history use), so the same definition
always gives the same ids and a run's states can be laid over them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..kinds import kind_of
from ..kinds.base import ABSENT, Clauses, Fact, NestedList, StepKind, nested_step_lists
from .model import Edge, Graph, Node

__all__ = ["MAX_LABEL", "build_graph", "node_id"]

MAX_LABEL = 60
"""Longest fact value shown in a node (longer ones are cut with an ellipsis)."""

START, END, FAILED = "n_start", "n_end", "n_failed"

Tail = tuple[str, str, str]
"""An edge still to be drawn to whatever comes next: (source node, label, style)."""


def node_id(path: str) -> str:
    """The id of a step's node: its run-time path with everything but letters, digits and ``_`` replaced by
    ``_``, after ``s_`` (valid in Mermaid and DOT, never a keyword such as ``end``)."""
    return "s_" + re.sub(r"[^A-Za-z0-9_]", "_", path)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        in_list = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if in_list or (isinstance(data, Mapping) and key in data):
            data = data[key]
        else:
            return ABSENT
    return data


def _text(value: Any) -> str:
    """A fact's value as one short line."""
    if isinstance(value, list):
        text = ", ".join(_text(item) for item in value)
    elif isinstance(value, Mapping):
        text = ", ".join(f"{key} {_text(item)}" for key, item in value.items())
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _facts(kind: StepKind, step: Mapping[str, Any]) -> list[str]:
    facts = kind.drawing.facts
    if facts is None:
        facts = tuple(part for part in kind.outline if isinstance(part, Fact))
    lines = []
    for fact in facts:
        value = _at(step, fact.path)
        if value is ABSENT:
            value = fact.default
        if value is ABSENT or value is None:
            continue
        if fact.keys and isinstance(value, Mapping):
            value = sorted(value)
        lines.append(f"{fact.label}: {_text(value)}")
    return lines


class _Builder:
    def __init__(self, name: str) -> None:
        self.graph = Graph(name)
        self.ids: set[str] = set()
        self.ends: dict[str, Node] = {}

    # ------------------------------------------------------------------ nodes and edges
    def add(self, wanted: str, lines: list[str] | tuple[str, ...], **fields: Any) -> str:
        """Add a node with id ``wanted`` (with a number after it when that id is taken)."""
        found, number = wanted, 1
        while found in self.ids:
            number += 1
            found = f"{wanted}_{number}"
        self.ids.add(found)
        self.graph.nodes.append(Node(found, tuple(lines), **fields))
        return found

    def connect(self, tails: list[Tail], target: str, label: str = "", style: str | None = None) -> None:
        for source, own, own_style in tails:
            self.graph.edges.append(Edge(source, target, own or label, style or own_style))

    def end(self, which: str) -> str:
        if which not in self.ends:
            node_id = FAILED if which == "failed" else END
            self.ends[which] = Node(node_id, (which,), "circle", role=which)
        return self.ends[which].id

    # ------------------------------------------------------------------ steps
    def steps(self, steps: Any, prefix: str, tails: list[Tail]) -> list[Tail]:
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            tails = self.step(step, index, prefix, tails)
        return tails

    def step(self, step: Any, index: int, prefix: str, tails: list[Tail]) -> list[Tail]:
        kind = kind_of(step)
        if kind is None or not isinstance(step, Mapping):
            return tails
        step_id = step.get("id")
        label = step_id if isinstance(step_id, str) and step_id else f"{kind.key}#{index}"
        path = f"{prefix}/{label}" if prefix else label
        wanted = node_id(path)
        skip: Tail | None = None
        if "if" in step:
            decision = self.add(f"{wanted}_if", [f"if {_text(step['if'])}"], shape="diamond", role="if")
            self.connect(tails, decision)
            tails, skip = [(decision, "yes", "solid")], (decision, "skip", "dotted")
        title = step.get("name") if isinstance(step.get("name"), str) else label
        lines = [str(title) if title == label else f"{label}: {title}", *_facts(kind, step)]
        # Say the kind unless the label or a fact already does.
        if label == step_id and not any(line.startswith(f"{kind.key}:") for line in lines[1:]):
            lines[0] = f"{lines[0]} ({kind.key})"
        drawing = kind.drawing
        node = self.add(wanted, lines, shape=drawing.shape, kind=kind.key, path=path)
        self.connect(tails, node)
        self.compensation(node, step, drawing.compensate)
        out = self.body(node, kind, step, path)
        return [*out, skip] if skip is not None else out

    def compensation(self, node: str, step: Mapping[str, Any], where: tuple[str, ...] | None) -> None:
        call = _at(step, where) if where is not None else ABSENT
        if not isinstance(call, Mapping):
            return
        activity = call.get("activity")
        undo = self.add(f"{node}_undo", ["undo", f"activity: {_text(activity)}"], shape="box",
                        role="compensate")
        self.graph.edges.append(Edge(node, undo, "compensate", "dashed"))

    def body(self, node: str, kind: StepKind, step: Mapping[str, Any], path: str) -> list[Tail]:
        drawing = kind.drawing
        lists = list(nested_step_lists(kind.model, step))
        if kind.terminal:
            self.connect([(node, "", "solid")], self.end(drawing.end))
            return []

        def inner(nested: NestedList) -> str:
            return f"{path}/{nested.segment}" if nested.segment else path

        if drawing.layout == "loop" and lists:
            body = self.steps(lists[0].items, inner(lists[0]), [(node, "", "solid")])
            self.connect(body, node, drawing.back, "dotted")
            return [(node, "done", "solid")]
        if drawing.layout == "fan" and lists:
            out: list[Tail] = []
            later = [nested for nested in lists if nested.spec.label in drawing.after]
            for nested in lists:
                if nested not in later:
                    into: Tail = (node, _edge_label(kind, step, nested), "solid")
                    out += self.steps(nested.items, inner(nested), [into])
            otherwise = drawing.otherwise
            if otherwise is not None and all(_at(step, p) is not ABSENT for p in otherwise.when) and not any(
                _at(step, p) is not ABSENT for p in otherwise.unless
            ):
                out.append((node, otherwise.label, "solid"))
            if drawing.join is not None:
                mode = _join_value(kind, step, drawing.join)
                join = self.add(f"{node}_join", [f"join: {mode}"], shape="circle", role="join")
                self.connect(out, join)
                out = [(join, "", "solid")]
            for nested in later:
                into_later = [(source, own or nested.spec.label, style) for source, own, style in out]
                out = self.steps(nested.items, inner(nested), into_later)
            return out
        tails: list[Tail] = [(node, "", "solid")]
        for nested in lists:
            tails = self.steps(nested.items, inner(nested), tails)
        return tails


def _join_value(kind: StepKind, step: Mapping[str, Any], label: str) -> str:
    for part in kind.outline:
        if isinstance(part, Fact) and part.label == label:
            value = _at(step, part.path)
            return _text(part.default if value is ABSENT else value)
    return label


def _edge_label(kind: StepKind, step: Mapping[str, Any], nested: NestedList) -> str:
    """What the edge into a nested list says: a branch or signal name, a case's condition, a catch's error
    types, else the list's declared label (``try``, ``default``, ``on_timeout``)."""
    for part in kind.outline:
        if isinstance(part, Clauses):
            size = len(part.path)
            if nested.path[:size] == part.path and len(nested.path) == size + 2:
                clause = _at(step, nested.path[:-1])
                found = clause if isinstance(clause, Mapping) else {}
                values = [_text(found[key]) for key in (*part.facts, *part.optional) if key in found]
                return f"{nested.spec.label}: {', '.join(values)}" if values else nested.spec.label
    if nested.spec.segment and "{key}" in nested.spec.segment:
        return str(nested.path[-1])
    return nested.spec.label


def build_graph(data: Mapping[str, Any]) -> Graph:
    """The graph of a definition given as plain data (a validated document, or a run's pinned
    definition)."""
    name = data.get("name")
    builder = _Builder(name if isinstance(name, str) else "definition")
    builder.ids.update((START, END, FAILED))
    builder.graph.nodes.append(Node(START, ("start",), "circle", role="start"))
    tails = builder.steps(data.get("steps"), "", [(START, "", "solid")])
    if tails:
        builder.connect(tails, builder.end("end"))
    builder.graph.nodes.extend(builder.ends[key] for key in ("end", "failed") if key in builder.ends)
    return builder.graph
