"""Checks of literal values: durations, timestamps, JSON Schemas (and their references), retry intervals,
foreach items, children.

Values that are expressions are checked when they render, at run time; here only literals are checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..diagnostics import Diagnostic
from ..durations import DurationError, parse_duration, parse_timestamp
from ..expressions import is_template
from ..loader import JsonPath
from ..payloads import check_schema
from .context import LintContext, did_you_mean, value_at
from .outline import Value
from .schema_refs import remote_refs

DEFAULT_INITIAL_INTERVAL = 1.0  # interpreter.options: the engine's default initial retry interval


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check the literal values of the definition."""
    for value in ctx.outline.values:
        checker = _ROLES.get(value.role)
        if checker is not None:
            yield from checker(ctx, value)
    yield from _retries(ctx)
    yield from _children(ctx)


def _literal(value: Any) -> bool:
    return not (isinstance(value, str) and is_template(value))


def _duration(ctx: LintContext, value: Value) -> Iterator[Diagnostic]:
    if _literal(value.value):
        try:
            parse_duration(value.value)
        except DurationError as err:
            yield ctx.at(value.path, "E700", str(err))


def _timestamp(ctx: LintContext, value: Value) -> Iterator[Diagnostic]:
    if _literal(value.value):
        try:
            parse_timestamp(value.value)
        except DurationError as err:
            yield ctx.at(value.path, "E701", f"{err} (for example 2030-01-01T09:00:00Z)")


_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")


@lru_cache(maxsize=1024)
def _schema_problem(text: str) -> tuple[str, tuple[str | int, ...]] | None:
    schema = json.loads(text)
    reason = check_schema(schema)
    if reason is None:
        return None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        where = tuple(err.absolute_path)
        if where and where[-1] == "type" and isinstance(err.instance, str):
            reason = f"{err.instance!r} is not a JSON Schema type (one of {', '.join(_TYPES)})"
        return reason, where
    return reason, ()


def _schema(ctx: LintContext, value: Value) -> Iterator[Diagnostic]:
    try:
        text = json.dumps(value.value, sort_keys=True)
    except (TypeError, ValueError):
        return
    section = value.path[0]
    what = "input schema" if section == "input" else f"{str(section)[:-1]} {value.path[1]!r} schema"
    problem = _schema_problem(text)
    if problem is not None:
        reason, inner = problem
        where = (*value.path, *inner)
        yield ctx.at(where, "E702", f"{what} is not a valid JSON Schema: {reason}",
                   key=bool(inner) and isinstance(inner[-1], str))
    for inner, ref in remote_refs(value.value):
        yield ctx.at((*value.path, *inner), "E705", f"{what} has a remote $ref {ref!r}, which is never "
                                                   "retrieved; inline the schema under $defs", key=True)


def _items(ctx: LintContext, value: Value) -> Iterator[Diagnostic]:
    items = value.value
    if isinstance(items, list) or (isinstance(items, str) and is_template(items)):
        return
    yield ctx.at(value.path, "E704", f"foreach items must be a list or an expression that gives one, not "
                                   f"{json.dumps(items)}")


_ROLES = {"duration": _duration, "timestamp": _timestamp, "schema": _schema, "items": _items}


def _seconds(value: Any) -> float | None:
    if value is None or not _literal(value):
        return None
    try:
        return parse_duration(value)
    except DurationError:
        return None


def _retries(ctx: LintContext) -> Iterator[Diagnostic]:
    """``maximum_interval`` below ``initial_interval`` (step values over the definition's defaults), which
    Temporal rejects when the activity is scheduled."""
    defaults = value_at(ctx.data, ("defaults", "retry"))
    defaults = defaults if isinstance(defaults, dict) else {}
    reported: set[JsonPath] = set()
    calls: list[tuple[JsonPath, Any]] = [(("defaults",), {})]
    for info in ctx.outline.steps:
        if info.kind == "activity":
            calls.append((info.path, info.data.get("retry")))
        compensate = info.data.get("compensate")
        if isinstance(compensate, dict):
            calls.append(((*info.path, "compensate"), compensate.get("retry")))
    for path, retry in calls:
        retry = retry if isinstance(retry, dict) else {}

        def pick(name: str, retry: dict[str, Any] = retry, path: JsonPath = path) -> tuple[Any, JsonPath]:
            if retry.get(name) is not None:
                return retry[name], (*path, "retry", name)
            return defaults.get(name), ("defaults", "retry", name)

        initial, _ = pick("initial_interval")
        maximum, maximum_path = pick("maximum_interval")
        first = _seconds(initial) if initial is not None else DEFAULT_INITIAL_INTERVAL
        last = _seconds(maximum)
        if first is None or last is None or last >= first or maximum_path in reported:
            continue
        reported.add(maximum_path)
        given = f"initial_interval {initial!r}" if initial is not None else "the default initial_interval 1s"
        yield ctx.at(maximum_path, "E703", f"retry maximum_interval {maximum!r} is shorter than {given}; "
                                         "Temporal rejects such a retry policy")


def _children(ctx: LintContext) -> Iterator[Diagnostic]:
    names = ctx.catalog_names
    if names is None:
        return
    own = ctx.data.get("name") if isinstance(ctx.data, dict) else None
    for info in ctx.outline.steps:
        if info.kind != "child":
            continue
        name = value_at(info.data, ("child", "definition"))
        if isinstance(name, str) and name not in names and name != own:
            yield ctx.at((*info.path, "child", "definition"), "E600",
                       f"unknown child definition {name!r}"
                       f"{did_you_mean(name, names) or ' (no definition of the catalog has that name)'}")
