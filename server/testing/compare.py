"""Compare what a case expects with what its run did: a list of :class:`Mismatch` (empty when equal)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mismatch:
    """One difference: where (``output.items[0].sku``), what was expected and what was found."""

    path: str
    expected: Any
    actual: Any
    note: str = ""

    def render(self) -> str:
        text = f"{self.path}: expected {show(self.expected)}, got {show(self.actual)}"
        return f"{text} ({self.note})" if self.note else text

    def as_dict(self) -> dict[str, Any]:
        """As JSON data (an absent value is null, and the note says ``missing`` or ``unexpected``)."""
        return {
            "path": self.path,
            "expected": None if self.expected is MISSING else self.expected,
            "actual": None if self.actual is MISSING else self.actual,
            "note": self.note,
        }


MISSING = object()
"""An absent key or item."""


def show(value: Any) -> str:
    if value is MISSING:
        return "nothing"
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def compare(expected: Any, actual: Any, path: str, *, subset: bool = False) -> list[Mismatch]:
    """The differences between ``expected`` and ``actual``. With ``subset``, a mapping may have keys the
    expectation does not mention (lists still have to be as long, item by item)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[Mismatch] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(Mismatch(_child(path, key), value, MISSING, "missing"))
            else:
                found.extend(compare(value, actual[key], _child(path, key), subset=subset))
        if not subset:
            for key in actual:
                if key not in expected:
                    found.append(Mismatch(_child(path, key), MISSING, actual[key], "unexpected"))
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        found = []
        for index in range(max(len(expected), len(actual))):
            if index >= len(actual):
                found.append(Mismatch(_child(path, index), expected[index], MISSING, "missing"))
            elif index >= len(expected):
                found.append(Mismatch(_child(path, index), MISSING, actual[index], "unexpected"))
            else:
                found.extend(compare(expected[index], actual[index], _child(path, index), subset=subset))
        return found
    if _equal(expected, actual):
        return []
    return [Mismatch(path, expected, actual)]


def _equal(expected: Any, actual: Any) -> bool:
    # JSON has one number type: 1 and 1.0 are the same output; true is not 1.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return bool(type(expected) is type(actual) and expected == actual)
