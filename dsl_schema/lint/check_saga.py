"""The saga check: in a definition where some step has ``compensate``, a failure undoes what was done, so
every other step with side effects (``activity`` and ``child`` steps, ``http`` steps whose method changes
something: not GET, HEAD or OPTIONS) should say how to undo it too.

Exempt: the last top-level step (nothing after it can fail and trigger compensation), and any step marked
with ``# lint: ignore[W800]`` on the reported line, for steps with nothing to undo (reads, notifications).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from .context import LintContext, value_at
from .outline import StepInfo

COMPENSABLE = ("activity", "child", "http")
"""The kinds of steps that may have ``compensate``."""

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
"""HTTP methods that change nothing: an ``http`` step using one has nothing to undo."""


def _side_effecting(info: StepInfo) -> bool:
    if info.kind == "http":
        method = value_at(info.data, ("http", "method"))
        return isinstance(method, str) and method.upper() not in SAFE_METHODS
    return info.kind in ("activity", "child")


def _what(info: StepInfo) -> str:
    if info.kind == "activity":
        return f"activity {info.data.get('activity')!r}"
    if info.kind == "http":
        return f"http {value_at(info.data, ('http', 'method'))}"
    return f"child {value_at(info.data, ('child', 'definition'))!r}"


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Warn about side-effecting steps without ``compensate`` in a saga definition."""
    steps = ctx.outline.steps
    if not any(info.kind in COMPENSABLE and "compensate" in info.data for info in steps):
        return
    top = value_at(ctx.data, ("steps",))
    last = ("steps", len(top) - 1) if isinstance(top, list) else None
    for info in steps:
        if not _side_effecting(info) or "compensate" in info.data or info.path == last:
            continue
        what = _what(info)
        label = f"step {info.id!r}" if info.id else "a step"
        yield ctx.at(info.path, "W800", f"{label} ({what}) has no compensate in a saga: a later failure will "
                                      "not undo it (add compensate, or '# lint: ignore[W800]' when there "
                                      "is nothing to undo)")
