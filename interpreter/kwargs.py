"""The keyword-argument envelope of activity calls, defined once.

Temporal activities take positional arguments only. Keyword arguments from a definition travel as one
trailing ``{"__kwargs__": {...}}`` payload: the interpreter packs them, the activity registry's wrapper (and
offline runs) unpack them. Workflow-safe: plain data only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

KWARGS_KEY = "__kwargs__"

__all__ = ["KWARGS_KEY", "is_kwargs_envelope", "pack_arguments", "split_arguments"]


def pack_arguments(args: Sequence[Any] | None, kwargs: dict[str, Any] | None) -> list[Any]:
    """Positional payloads for an activity: ``args``, then the keyword envelope when there are keywords."""
    packed = list(args or [])
    if kwargs:
        packed.append({KWARGS_KEY: kwargs})
    return packed


def is_kwargs_envelope(value: Any) -> bool:
    """Whether ``value`` is the keyword envelope (a mapping with exactly the one key)."""
    return isinstance(value, dict) and set(value) == {KWARGS_KEY}


def split_arguments(args: Sequence[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The positional arguments and the keyword arguments of a packed argument list."""
    values = list(args)
    if values and is_kwargs_envelope(values[-1]):
        return values[:-1], dict(values[-1][KWARGS_KEY])
    return values, {}
