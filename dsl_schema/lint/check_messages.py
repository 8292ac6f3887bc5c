"""Checks of signals, queries and updates.

A signal is *used* when a ``wait_for`` waits for it or an expression reads ``signals.<name>``; using an
undeclared signal is an error (the run would fail, or never see it). A declared signal that is never used is
a warning: callers can still send it, but the run only records it. Queries and updates are used by callers
outside the definition, so for them the linter checks what makes them useless: a query without a value, an
update that changes nothing anyone reads and returns nothing. Names starting with ``__`` are reserved
(Temporal's own handlers and the built-in ``__progress`` query).

Runs after :mod:`.check_expressions`, which records the signals and variables expressions read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic
from .context import LintContext, did_you_mean


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check the signals, queries and updates of the definition."""
    data = ctx.data
    if not isinstance(data, dict):
        return
    raw = data.get("signals")
    signals: dict[str, Any] = raw if isinstance(raw, dict) else {}
    declared = set(signals)
    for name, paths in ctx.outline.signals_waited.items():
        if name not in declared:
            for path in paths:
                yield ctx.at(path, "E500", _undeclared(name, declared), key=isinstance(path[-1], str))
    for name, sites in ctx.signals_read.items():
        if name not in declared:
            for path, needles in sites:
                yield ctx.at(path, "E500", _undeclared(name, declared), needles=needles)
    if "signals" not in ctx.whole_read:
        for name in signals:
            if name not in ctx.outline.signals_waited and name not in ctx.signals_read:
                yield ctx.at(("signals", name), "W501",
                             f"signal {name!r} is declared but never waited for nor read: a run only "
                             "records it",
                             key=True)
    for section in ("signals", "queries", "updates"):
        table = data.get(section)
        for name in table if isinstance(table, dict) else ():
            if isinstance(name, str) and name.startswith("__"):
                yield ctx.at((section, name), "E504",
                             f"{_SINGULAR[section]} name {name!r} is reserved (names starting with '__' "
                             "belong to Temporal and the built-in __progress query)", key=True)
    queries = data.get("queries")
    for name, decl in queries.items() if isinstance(queries, dict) else ():
        if isinstance(decl, dict) and decl.get("value") is None:
            yield ctx.at(("queries", name), "W502", f"query {name!r} has no value, so it always answers null",
                       key=True)
    updates = data.get("updates")
    for name, decl in updates.items() if isinstance(updates, dict) else ():
        if isinstance(decl, dict) and not _has_effect(ctx, decl):
            yield ctx.at(("updates", name), "W503", f"update {name!r} has no effect: it returns nothing and "
                                                  "sets no variable that an expression reads", key=True)


_SINGULAR = {"signals": "signal", "queries": "query", "updates": "update"}


def _undeclared(name: str, declared: set[str]) -> str:
    return f"signal {name!r} is not declared (add it under signals:){did_you_mean(name, declared)}"


def _has_effect(ctx: LintContext, decl: dict[str, Any]) -> bool:
    if decl.get("return") is not None:
        return True
    assigned = decl.get("set")
    if not isinstance(assigned, dict) or not assigned:
        return False
    return "vars" in ctx.whole_read or any(name in ctx.vars_read for name in assigned)
