"""Checks of steps and control flow: duplicate ids, unreachable steps and clauses, ``while`` loops.

* Step ids are unique in the whole definition: an id names one step in results, progress and errors.
* A step after an unconditional ``return``/``fail`` (or after a ``switch`` whose every branch, default
  included, ends so) in the same list never runs; so does a ``catch`` clause after a catch-all clause and a
  ``switch`` case after an always-true case. These are warnings: the definition still runs as written.
* A ``while`` needs ``max_iterations`` (the schema requires it, E103). A constant condition is suspicious: an
  always-false loop never runs its body, and an always-true loop whose body has no ``return``/``fail`` can
  only end by failing with ``MaxIterationsExceeded``. Only a top-level ``while`` can continue as new when the
  history grows, so a nested one with more than :data:`NESTED_WHILE_LIMIT` iterations may exceed Temporal's
  history limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..diagnostics import Diagnostic
from ..expressions import is_template
from ..kinds import KINDS, kind_of
from ..loader import JsonPath
from .check_fanout import check_foreach
from .context import LintContext
from .exprs import NOT_CONSTANT, analyze
from .outline import StepInfo

NESTED_WHILE_LIMIT = 1000
"""About 10 history events per iteration: beyond this a nested loop nears Temporal's 10,240-event warning."""


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check the steps of the definition."""
    yield from _duplicates(ctx)
    for path, items in ctx.outline.step_lists:
        yield from _unreachable_steps(ctx, path, items)
    for info in ctx.outline.steps:
        kind_check = KIND_CHECKS.get(info.kind) if info.kind is not None else None
        if kind_check is not None:
            yield from kind_check(ctx, info)


def _duplicates(ctx: LintContext) -> Iterator[Diagnostic]:
    first: dict[str, StepInfo] = {}
    for info in ctx.outline.steps:
        if info.id is None:
            continue
        if info.id in first:
            line = ctx.locate((*first[info.id].path, "id"))[0]
            yield ctx.at((*info.path, "id"), "E200",
                         f"duplicate step id {info.id!r} (also the id of the step at line {line}); step ids "
                         "are unique in a definition")
        else:
            first[info.id] = info


def constant(value: Any) -> Any:
    """The constant truth of a condition (``True``/``False``), or ``NOT_CONSTANT``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and is_template(value):
        result = analyze(value).constant
        return NOT_CONSTANT if result is NOT_CONSTANT else bool(result)
    return NOT_CONSTANT


def ends_run(step: Any) -> str | None:
    """``"return"``/``"fail"`` when ``step`` always ends its list (the run, or the foreach item)."""
    if not isinstance(step, dict) or ("if" in step and constant(step["if"]) is not True):
        return None
    kind = kind_of(step)
    if kind is not None and kind.terminal:
        return kind.key
    if kind is not None and kind.key == "switch":
        spec = step.get("switch")
        if not isinstance(spec, dict) or not isinstance(spec.get("default"), list):
            return None
        raw = spec.get("cases")
        cases: list[Any] = raw if isinstance(raw, list) else []
        branches = [c.get("steps") for c in cases if isinstance(c, dict)] + [spec["default"]]
        if all(isinstance(b, list) and any(ends_run(s) for s in b) for b in branches):
            return "switch"
    return None


def _unreachable_steps(ctx: LintContext, path: JsonPath, items: list[Any]) -> Iterator[Diagnostic]:
    for index, step in enumerate(items[:-1]):
        how = ends_run(step)
        if how is None:
            continue
        line = ctx.locate((*path, index))[0]
        cause = f"the switch at line {line}, whose every branch ends the run" if how == "switch" \
            else f"the unconditional {how} at line {line}"
        yield ctx.at((*path, index + 1), "W201", f"unreachable step: it comes after {cause}")
        return


def _unreachable_catches(ctx: LintContext, info: StepInfo) -> Iterator[Diagnostic]:
    clauses = info.data.get("catch")
    if not isinstance(clauses, list):
        return
    for index, clause in enumerate(clauses[:-1]):
        if isinstance(clause, dict) and clause.get("errors") is None and constant(
                clause.get("when", True)) is True:
            line = ctx.locate((*info.path, "catch", index))[0]
            yield ctx.at((*info.path, "catch", index + 1), "W201",
                       f"unreachable catch clause: the clause at line {line} catches every error")
            return


def _unreachable_cases(ctx: LintContext, info: StepInfo) -> Iterator[Diagnostic]:
    spec = info.data.get("switch")
    cases = spec.get("cases") if isinstance(spec, dict) else None
    if not isinstance(cases, list):
        return
    for index, case in enumerate(cases):
        if isinstance(case, dict) and constant(case.get("if")) is True:
            line = ctx.locate((*info.path, "switch", "cases", index))[0]
            if index + 1 < len(cases):
                yield ctx.at((*info.path, "switch", "cases", index + 1), "W201",
                           f"unreachable case: the case at line {line} is always true")
            elif isinstance(spec, dict) and "default" in spec:
                yield ctx.at((*info.path, "switch", "default"), "W201",
                           f"unreachable default: the case at line {line} is always true", key=True)
            return


def _exits(steps: Any) -> bool:
    """Whether any step in ``steps`` (at any depth) is a ``return`` or ``fail``."""
    if isinstance(steps, list):
        return any(_exits(step) for step in steps)
    if isinstance(steps, dict):
        kind = kind_of(steps)
        if kind is not None and kind.terminal:
            return True
        return any(_exits(value) for value in steps.values() if isinstance(value, list | dict))
    return False


def _loop(ctx: LintContext, info: StepInfo) -> Iterator[Diagnostic]:
    spec = info.data.get("while")
    if not isinstance(spec, dict):
        return
    where = (*info.path, "while", "condition")
    truth = constant(spec.get("condition"))
    bound = spec.get("max_iterations")
    if truth is False:
        yield ctx.at(where, "W202", "while condition is always false: the body never runs")
    elif truth is True and isinstance(bound, int) and not _exits(spec.get("steps")):
        yield ctx.at(where, "W202",
                     "while condition is always true and nothing in its body returns or fails: the loop can "
                     f"only end by failing with MaxIterationsExceeded after {bound} iterations")
    if isinstance(bound, int) and bound > NESTED_WHILE_LIMIT and not info.top_level:
        yield ctx.at((*info.path, "while", "max_iterations"), "W203",
                   f"max_iterations {bound} in a nested while: only a top-level while continues as new, so "
                   "a loop this long may exceed Temporal's history limit (keep nested loops under "
                   f"{NESTED_WHILE_LIMIT} iterations, or move the loop to the top level or a child "
                   "definition)")


KIND_CHECKS: dict[str, Callable[[LintContext, StepInfo], Iterator[Diagnostic]]] = {
    "try": _unreachable_catches,
    "switch": _unreachable_cases,
    "while": _loop,
    "foreach": check_foreach,
}
"""The checks particular to one step kind (the rest read the kinds' declarations)."""
assert set(KIND_CHECKS) <= set(KINDS), "a check for an undeclared step kind"
