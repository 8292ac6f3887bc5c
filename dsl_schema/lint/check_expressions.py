"""Checks of expressions: syntax, names, step and variable references, filters, tests, determinism.

Also gathers what the later families need (signals and variables read).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic
from ..expressions import _ENV as ENVIRONMENT
from ..expressions import is_template
from ..loader import JsonPath
from .context import LintContext, did_you_mean
from .exprs import Analysis, Ref, analyze
from .outline import Scope, Value

GLOBALS = frozenset(ENVIRONMENT.globals)
NON_DETERMINISTIC = frozenset({
    "random", "lipsum", "cycler", "now", "utcnow", "today", "time", "datetime", "uuid", "uuid4", "randint",
})
# Attributes of the built-in names whose shape is fixed.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "workflow": ("id", "run_id", "name", "version", "now"),
    "loop": ("index",),
    "signal": ("name", "payload"),
    "error": ("type", "message", "step", "details", "attempts"),
}
# Where a contextual name is available, for "unknown name" hints.
CONTEXTUAL = {
    "item": "inside a foreach body (or the name its `as` gives)",
    "index": "inside a foreach body",
    "loop": "in a while condition and body",
    "signal": "in a signal's steps under wait_for",
    "error": "in catch steps and failure_output",
    "compensations": "in failure_output",
    "result": "in compensate",
    "payload": "in an update's validate, set and return",
}


def strings(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Every string inside ``value`` (lists and mapping values; keys are never rendered)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, (*path, key))


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check every expression of the definition."""
    for value in ctx.outline.values:
        if value.role == "schema":
            continue
        for path, text in strings(value.value, value.path):
            if is_template(text):
                yield from _expression(ctx, value, path, text)
            elif value.role == "condition" and path == value.path:
                yield from _plain_condition(ctx, path, text)


def _plain_condition(ctx: LintContext, path: JsonPath, text: str) -> Iterator[Diagnostic]:
    if text.strip():
        yield ctx.at(path, "W308", f"condition {text!r} is a plain string, so it is always true; "
                                 f"write \"{{{{ {text.strip()} }}}}\" to evaluate it")
    else:
        yield ctx.at(path, "W308", "condition is an empty string, so it is always false")


def _expression(ctx: LintContext, value: Value, path: JsonPath, text: str) -> Iterator[Diagnostic]:
    analysis = analyze(text)
    if analysis.error is not None:
        code = "E120" if analysis.over_limit else "E300"
        yield ctx.at(path, code, f"expression {analysis.error}" if code == "E300" else analysis.error)
        return
    if analysis.bound is not None:
        yield ctx.at(path, "E121", f"the expression is over an evaluation bound: {analysis.bound}")
    scope = value.scope
    yield from _names(ctx, scope, analysis, path)
    for ref in analysis.refs:
        if ref.root not in scope.names:
            continue  # reported as an unknown name, or a jinja-local name
        if ref.root == "steps":
            yield from _step_ref(ctx, scope, analysis, ref, path)
        elif ref.root == "vars":
            yield from _var_ref(ctx, scope, ref, path)
        elif ref.root == "signals":
            ctx.signals_read.setdefault(ref.name, []).append((path, ref.needles()))
        elif ref.root in ATTRIBUTES and ref.name not in ATTRIBUTES[ref.root]:
            known = ", ".join(ATTRIBUTES[ref.root])
            yield ctx.at(path, "E304", f"{ref.root} has no attribute {ref.name!r} (it has: {known})"
                       f"{did_you_mean(ref.name, ATTRIBUTES[ref.root])}", needles=ref.needles())
    for name in analysis.filters:
        if name == "random":
            yield ctx.at(path, "E306", "non-deterministic filter 'random': a replayed run must compute the "
                                     "same value (pick by a value from input, vars or steps)",
                       needles=(name,))
        elif name not in ENVIRONMENT.filters:
            yield ctx.at(path, "E305", f"unknown filter {name!r}{did_you_mean(name, ENVIRONMENT.filters)}",
                       needles=(name,))
    for name in analysis.tests:
        if name not in ENVIRONMENT.tests:
            yield ctx.at(path, "E305", f"unknown test {name!r}{did_you_mean(name, ENVIRONMENT.tests)}",
                       needles=(name,))
    for name in analysis.private:
        yield ctx.at(path, "E307", f"attribute {name!r} is refused by the sandbox (names starting with '_' "
                                 "are not accessible)", needles=(f".{name}", name))


def _names(ctx: LintContext, scope: Scope, analysis: Analysis, path: JsonPath) -> Iterator[Diagnostic]:
    for name in analysis.names:
        if name in scope.names or name in GLOBALS:
            if name in ("vars", "signals") and name in analysis.whole:
                ctx.whole_read.add(name)
            continue
        if name in NON_DETERMINISTIC:
            yield ctx.at(path, "E306", f"non-deterministic {name!r} is not available: expressions must give "
                                     "the same value when a run is replayed (use workflow.now for the time)",
                       needles=(name,))
        elif name in analysis.guarded_names:
            continue
        elif scope.where == "id":
            yield ctx.at(path, "E304", f"unknown name {name!r}: the workflow id template sees only 'input'",
                       needles=(name,))
        elif name in CONTEXTUAL:
            yield ctx.at(path, "E304", f"unknown name {name!r}: it is only available {CONTEXTUAL[name]}",
                       needles=(name,))
        else:
            yield ctx.at(path, "E304", f"unknown name {name!r}{did_you_mean(name, scope.names | GLOBALS)}",
                       needles=(name,))


def _step_ref(
    ctx: LintContext, scope: Scope, analysis: Analysis, ref: Ref, path: JsonPath
) -> Iterator[Diagnostic]:
    outline = ctx.outline
    name = ref.name
    if name in scope.steps:
        return
    target = outline.step_ids.get(name)
    if target is None:
        yield ctx.at(path, "E301", f"unknown step {name!r}{did_you_mean(name, outline.step_ids)}",
                   needles=ref.needles())
        return
    if (ref.root, name) in analysis.guarded:
        return
    line = ctx.locate(target.path)[0]
    outer = [f for f in target.scope.foreach if f not in scope.foreach]
    mine = dict(scope.branches)
    sibling = next(((p, b) for p, b in target.scope.branches if p in mine and mine[p] != b), None)
    if scope.where == "vars":
        why = "the initial vars are rendered before any step runs"
    elif outer:
        loop = outer[-1]
        loop_id = _id_at(ctx, loop)
        read = f"steps.{loop_id}.results" if loop_id else "the foreach step's results (give it an id)"
        why = (f"it runs inside the foreach at line {ctx.locate(loop)[0]}, whose items have their own "
               f"results; read {read}")
    elif sibling is not None:
        why = (f"it runs in parallel branch {sibling[1]!r}, concurrently with branch {mine[sibling[0]]!r} "
               "(branches cannot rely on each other)")
    else:
        why = (f"it has not run yet at this point (defined at line {line}); guard it with "
               f"'steps.{name} is defined' if it may be absent")
    yield ctx.at(path, "E302", f"step {name!r} is not available here: {why}", needles=ref.needles())


def _id_at(ctx: LintContext, path: JsonPath) -> str | None:
    for info in ctx.outline.steps:
        if info.path == path:
            return info.id
    return None


def _var_ref(ctx: LintContext, scope: Scope, ref: Ref, path: JsonPath) -> Iterator[Diagnostic]:
    name = ref.name
    ctx.vars_read.add(name)
    if scope.where == "vars":
        yield ctx.at(path, "E303", f"vars.{name} is not set yet: the initial vars are rendered before any "
                                 "variable exists", needles=ref.needles())
    elif name not in ctx.outline.vars_set:
        hint = did_you_mean(name, ctx.outline.vars_set)
        yield ctx.at(path, "E303", f"unknown variable {name!r}: nothing sets vars.{name} (vars, set steps or "
                                 f"update set){hint}", needles=ref.needles())
