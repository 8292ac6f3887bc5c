"""A compact source map that travels with a run: the file of the definition and the line of every step.

::

    {"file": "order_processing.yaml", "lines": {"payment": 12, "inventory": 19, "book/try/charge": 31}}

Keys are step paths as the interpreter names steps in progress and errors (a step's id, else
``<kind>#<index>``, nested under ``try``/``catch#N``/``finally``, ``case#N``/``default``, a parallel branch or
signal name, ``on_timeout``), without loop iterations: the run-time path ``orders[3]/charge`` is the step
``orders/charge``. The segment of each nested list is declared with the list in its kind's module
(``Nested.segment`` in ``dsl_schema/kinds/``): this module knows no kind by name. ``vars``, ``output`` and
``failure_output`` are mapped too (expressions there fail with those names). :func:`step_paths` lists the
steps (the compiler builds the map from it and the positions, ``Compiled.source_map``); :func:`locate`
answers a run-time path, so a failure can say ``order_processing.yaml:12``.

This module is imported by workflow code: it stays pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .kinds import kind_of
from .kinds.base import nested_step_lists

JsonPath = tuple[str | int, ...]
SourceMap = dict[str, Any]
"""``{"file": str, "lines": {step_path: line}}``, plain JSON data."""

_ITERATION = re.compile(r"\[\d+\]")
TOP_LEVEL = ("vars", "output", "failure_output")
"""Top-level keys mapped beside the steps (expressions there fail under these names)."""


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
            kind = kind_of(step)
            step_id = step.get("id")
            key = kind.key if kind is not None else None
            label = step_id if isinstance(step_id, str) and step_id else f"{key}#{index}"
            path = f"{prefix}/{label}" if prefix else label
            json_path = (*where, index)
            yield json_path, path
            if kind is None:
                continue
            # Where the kind's handler runs each nested list is part of its declaration (``Nested.segment``).
            for nested in nested_step_lists(kind.model, step):
                inner = f"{path}/{nested.segment}" if nested.segment else path
                yield from walk(nested.items, (*json_path, *nested.path), inner)

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
