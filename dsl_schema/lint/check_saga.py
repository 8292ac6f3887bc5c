"""The saga check: in a definition where some step has ``compensate``, a failure undoes what was done, so
every other step with side effects (``activity`` and ``child`` steps) should say how to undo it too.

Exempt: the last top-level step (nothing after it can fail and trigger compensation), and any step marked
with ``# lint: ignore[W800]`` on the reported line, for steps with nothing to undo (reads, notifications).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from .context import LintContext, value_at


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Warn about side-effecting steps without ``compensate`` in a saga definition."""
    steps = ctx.outline.steps
    if not any(info.kind in ("activity", "child") and "compensate" in info.data for info in steps):
        return
    top = value_at(ctx.data, ("steps",))
    last = ("steps", len(top) - 1) if isinstance(top, list) else None
    for info in steps:
        if info.kind not in ("activity", "child") or "compensate" in info.data or info.path == last:
            continue
        what = f"activity {info.data.get('activity')!r}" if info.kind == "activity" \
            else f"child {value_at(info.data, ('child', 'definition'))!r}"
        label = f"step {info.id!r}" if info.id else "a step"
        yield ctx.at(info.path, "W800", f"{label} ({what}) has no compensate in a saga: a later failure will "
                                      "not undo it (add compensate, or '# lint: ignore[W800]' when there "
                                      "is nothing to undo)")
