"""Declared schedules: the top-level ``schedules:`` key of a definition.

::

    schedules:
      nightly:
        cron: "0 2 * * *"
        timezone: Europe/Paris
        input: {source: warehouse}
        overlap: skip

Each entry becomes one Temporal Schedule (``tdsl schedules apply``, see ``docs/SCHEDULES.md``) that starts the
definition with ``input`` exactly as ``tdsl run`` would. This module holds the model and the plain facts the
linter and the reconciler share; it imports neither Temporal nor the catalog.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from .kinds.base import Duration, Model, NonEmptyStr

__all__ = [
    "CRON_MACROS",
    "DEFAULT_TIMEZONE",
    "OVERLAP_POLICIES",
    "SCHEDULE_NAME_PATTERN",
    "OverlapPolicy",
    "ScheduleDecl",
    "ScheduleName",
]

SCHEDULE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
DEFAULT_TIMEZONE = "UTC"

OverlapPolicy: TypeAlias = Literal[
    "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
]
OVERLAP_POLICIES: tuple[str, ...] = (
    "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
)

CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
"""The ``@`` shorthands Temporal's cron parser accepts besides five-field expressions."""

ScheduleName: TypeAlias = Annotated[str, Field(pattern=SCHEDULE_NAME_PATTERN, max_length=100)]


class ScheduleDecl(Model):
    """When to start the definition (``cron`` or ``interval``), with which input, and what to do when a run
    is still going when the next is due."""

    description: str | None = None
    cron: NonEmptyStr | None = Field(
        default=None,
        description="Five-field cron expression (minute hour day-of-month month day-of-week) or @daily, "
                    "@hourly, ...; read in `timezone`.",
    )
    interval: Duration | None = Field(default=None, description="Start every this long (instead of cron).")
    offset: Duration | None = Field(
        default=None, description="With interval: shift the start times by this much (shorter than interval)."
    )
    timezone: NonEmptyStr = Field(default=DEFAULT_TIMEZONE, description="IANA time zone of the cron fields.")
    input: Any = Field(
        default=None, description="Input of every run (data, checked against the input schema)."
    )
    overlap: OverlapPolicy = Field(
        default="skip", description="What to do when the previous run is still open."
    )
    catchup_window: Duration | None = Field(
        default=None, description="How late a missed start may still happen (default one year)."
    )
    jitter: Duration | None = Field(default=None, description="Delay each start by a random time up to this.")
    paused: bool = Field(default=False, description="Create the schedule paused.")
    note: str | None = Field(default=None, description="Note shown with the schedule's state.")
