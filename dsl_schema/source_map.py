"""A compact source map that travels with a run: the file of the definition and the line of every step.

::

    {"file": "order_processing.yaml", "lines": {"payment": 12, "inventory": 19, "book/try/charge": 31}}

Keys are step paths as the interpreter names steps in progress and errors (a step's id, else
``<kind>#<index>``, nested under ``try``/``catch#N``/``finally``, ``case#N``/``default``, a parallel branch or
signal name, ``on_timeout``), without loop iterations: the run-time path ``orders[3]/charge`` is the step
``orders/charge``. ``vars``, ``output`` and ``failure_output`` are mapped too (expressions there fail with
those names). :func:`step_paths` lists the steps (the compiler builds the map from it and the positions,
``Compiled.source_map``); :func:`locate` answers a run-time path, so a failure can say
``order_processing.yaml:12``.

This module is imported by workflow code: it stays pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .models import step_kind

JsonPath = tuple[str | int, ...]
SourceMap = dict[str, Any]
"""``{"file": str, "lines": {step_path: line}}``, plain JSON data."""

_ITERATION = re.compile(r"\[\d+\]")
TOP_LEVEL = ("vars", "output", "failure_output")
"""Top-level keys mapped beside the steps (expressions there fail under these names)."""


def _nested(step: dict[str, Any], kind: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The step lists inside a step of ``kind``: (JSON path below the step, path segment at run time; empty
    for loop bodies, whose segment is the iteration)."""
    spec = step.get(kind)
    if kind == "try":
        yield ("try",), "try"
        clauses = step.get("catch")
        for index, clause in enumerate(clauses if isinstance(clauses, list) else []):
            if isinstance(clause, dict):
                yield ("catch", index, "steps"), f"catch#{index}"
        yield ("finally",), "finally"
    elif not isinstance(spec, dict):
        return
    elif kind == "switch":
        cases = spec.get("cases")
        for index, _ in enumerate(cases if isinstance(cases, list) else []):
            yield ("switch", "cases", index, "steps"), f"case#{index}"
        yield ("switch", "default"), "default"
    elif kind in ("while", "foreach"):
        yield (kind, "steps"), ""
    elif kind == "parallel":
        branches = spec.get("branches")
        for name in branches if isinstance(branches, dict) else {}:
            yield ("parallel", "branches", name), str(name)
    elif kind == "wait_for":
        signals = spec.get("signals")
        for name in signals if isinstance(signals, dict) else {}:
            yield ("wait_for", "signals", name), str(name)
        yield ("wait_for", "on_timeout"), "on_timeout"


def _value(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_list or (isinstance(data, dict) and part in data):
            data = data[part]
        else:
            return None
    return data


def step_paths(data: Any) -> Iterator[tuple[JsonPath, str]]:
    """Every step of a definition (as data): its JSON path and its path at run time, in document order."""

    def walk(steps: Any, where: JsonPath, prefix: str) -> Iterator[tuple[JsonPath, str]]:
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict):
                continue
            kind = step_kind(step)
            step_id = step.get("id")
            label = step_id if isinstance(step_id, str) and step_id else f"{kind}#{index}"
            path = f"{prefix}/{label}" if prefix else label
            json_path = (*where, index)
            yield json_path, path
            if kind is None:
                continue
            for below, segment in _nested(step, kind):
                inner = f"{path}/{segment}" if segment else path
                yield from walk(_value(step, below), (*json_path, *below), inner)

    yield from walk(_value(data, ("steps",)), ("steps",), "")


def locate(source: Any, step: str | None) -> tuple[str, int] | None:
    """``(file, line)`` of the run-time step path ``step`` (its nearest mapped enclosing step), or
    ``None``."""
    if not isinstance(source, dict) or not step:
        return None
    lines = source.get("lines")
    file = source.get("file")
    if not isinstance(lines, dict) or not isinstance(file, str):
        return None
    path = _ITERATION.sub("", step).split(".compensate")[0]
    while path:
        line = lines.get(path)
        if isinstance(line, int):
            return file, line
        path = path.rpartition("/")[0]
    return None
