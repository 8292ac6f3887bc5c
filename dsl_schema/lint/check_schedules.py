"""Checks of declared schedules (the top-level ``schedules:`` key): cron syntax, time zones, durations, the
choice between ``cron`` and ``interval``, and each schedule's ``input`` against the definition's input schema.

A schedule is data the server acts on long after linting, so nothing in it may be an expression.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ..diagnostics import Diagnostic
from ..durations import DurationError, parse_duration
from ..expressions import is_template
from ..payloads import check_schema, schema_errors
from ..schedules import CRON_MACROS, DEFAULT_TIMEZONE
from .context import LintContext

_DURATIONS = ("interval", "offset", "catchup_window", "jitter")


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check every declared schedule."""
    schedules = ctx.data.get("schedules") if isinstance(ctx.data, dict) else None
    if not isinstance(schedules, dict):
        return
    for name, decl in schedules.items():
        if isinstance(decl, dict):
            yield from _schedule(ctx, str(name), decl)


def _schedule(ctx: LintContext, name: str, decl: dict[str, Any]) -> Iterator[Diagnostic]:
    path = ("schedules", name)
    has_cron, has_interval = "cron" in decl, "interval" in decl
    if has_cron == has_interval:
        what = "both `cron` and `interval`" if has_cron else "neither `cron` nor `interval`"
        yield ctx.at(path, "E454", f"schedule {name!r} has {what}; give exactly one", key=True)
    cron = decl.get("cron")
    if isinstance(cron, str):
        problem = cron_problem(cron)
        if problem is not None:
            yield ctx.at((*path, "cron"), "E450", f"schedule {name!r}: {problem}")
    timezone = decl.get("timezone", DEFAULT_TIMEZONE)
    if isinstance(timezone, str) and not known_timezone(timezone):
        yield ctx.at((*path, "timezone"), "E451",
                     f"schedule {name!r}: unknown time zone {timezone!r} (an IANA name such as Europe/Paris)")
    seconds: dict[str, float] = {}
    for key in _DURATIONS:
        if key not in decl:
            continue
        try:
            seconds[key] = _duration(decl[key])
        except DurationError as err:
            yield ctx.at((*path, key), "E452", f"schedule {name!r}: {key}: {err}")
    if "interval" in seconds and seconds["interval"] < 1:
        yield ctx.at((*path, "interval"), "E452", f"schedule {name!r}: interval must be at least 1 second")
    if "offset" in decl and not has_interval:
        yield ctx.at((*path, "offset"), "E455", f"schedule {name!r}: `offset` needs `interval`", key=True)
    elif "offset" in seconds and "interval" in seconds and seconds["offset"] >= seconds["interval"]:
        yield ctx.at((*path, "offset"), "E455",
                     f"schedule {name!r}: `offset` must be shorter than `interval`")
    if "jitter" in seconds and "interval" in seconds and seconds["jitter"] >= seconds["interval"] > 0:
        yield ctx.at((*path, "jitter"), "W450",
                     f"schedule {name!r}: `jitter` is not shorter than `interval`: starts may bunch together")
    yield from _input(ctx, name, decl)


def _input(ctx: LintContext, name: str, decl: dict[str, Any]) -> Iterator[Diagnostic]:
    schema = ctx.data.get("input")
    if not isinstance(schema, dict) or check_schema(schema) is not None:
        return  # no schema, or an invalid one (E702 reports it)
    errors = schema_errors(schema, decl.get("input"))
    if errors:
        where = ("schedules", name, "input") if "input" in decl else ("schedules", name)
        listed = "; ".join(f"{e['path'] or '$'}: {e['message']}" for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        yield ctx.at(where, "E453", f"schedule {name!r}: input does not match the definition's input "
                                    f"schema: {listed}{more}", key="input" not in decl)


def _duration(value: Any) -> float:
    if isinstance(value, str) and is_template(value):
        raise DurationError(f"{value!r} is an expression; a schedule needs a literal duration")
    return parse_duration(value)


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a cron expression Temporal schedules accept (``None`` when it is)."""
    text = expression.strip()
    if text.startswith("@"):
        if text in CRON_MACROS:
            return None
        if text.startswith("@every"):
            return f"{text!r}: use `interval` instead of @every"
        return f"unknown cron shorthand {text!r} (one of {', '.join(sorted(CRON_MACROS))})"
    if text.upper().startswith(("CRON_TZ=", "TZ=")):
        return f"{text!r}: give the time zone as `timezone`, not in the expression"
    fields = text.split()
    if len(fields) != 5:
        return (f"{text!r} has {len(fields)} fields; a cron expression has five: "
                "minute hour day-of-month month day-of-week")
    from croniter import croniter  # only definitions with schedules pay for the import

    if not croniter.is_valid(text):
        return f"{text!r} is not a valid cron expression"
    return None


@lru_cache(maxsize=256)
def known_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``UTC`` included)."""
    if name in ("UTC", "Local"):
        return name == "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
