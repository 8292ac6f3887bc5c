"""Checks of error handling and of constructs that can never take effect.

* ``catch.errors`` lists error types matched as written: an expression there (``{{``) is never rendered, so
  the clause would wait for a type named like the expression's text (E310; ``when:`` matches by expression).
* ``raise`` rethrows the error a ``catch`` clause caught: anywhere else there is no error to raise (E311).
* A ``wait_for`` with ``on_timeout`` but no ``timeout`` never times out: its ``on_timeout`` steps never run
  (W312).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..loader import JsonPath
from .context import LintContext
from .outline import StepInfo


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check error handling and constructs without effect."""
    for info in ctx.outline.steps:
        if info.kind == "try":
            yield from _catch_types(ctx, info)
        elif info.kind == "raise" and not in_catch(info.path):
            yield ctx.at((*info.path, "raise"), "E311",
                         "raise outside a catch clause: there is no caught error to raise (use fail)",
                         key=True)
        elif info.kind == "wait_for":
            spec = info.data.get("wait_for")
            if isinstance(spec, dict) and "on_timeout" in spec and "timeout" not in spec:
                yield ctx.at((*info.path, "wait_for", "on_timeout"), "W312",
                             "on_timeout without a timeout: the wait never times out, so these steps "
                             "never run", key=True)


def in_catch(path: JsonPath) -> bool:
    """Whether the step at ``path`` is (at any depth) inside the steps of a ``catch`` clause: its path holds
    ``<step index>, "catch", <clause index>`` (a branch or signal named ``catch`` follows a mapping key)."""
    return any(
        token == "catch" and isinstance(path[i - 1], int) and isinstance(path[i + 1], int)
        for i, token in enumerate(path[1:-1], start=1)
    )


def _catch_types(ctx: LintContext, info: StepInfo) -> Iterator[Diagnostic]:
    clauses = info.data.get("catch")
    for index, clause in enumerate(clauses if isinstance(clauses, list) else []):
        types = clause.get("errors") if isinstance(clause, dict) else None
        for position, name in enumerate(types if isinstance(types, list) else []):
            if isinstance(name, str) and "{{" in name:
                yield ctx.at((*info.path, "catch", index, "errors", position), "E310",
                             f"error type {name!r} is matched as written, never rendered: list the types "
                             "themselves, or match by expression with when: (error.type, error.message, ...)")
