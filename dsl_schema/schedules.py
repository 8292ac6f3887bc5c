"""Declared schedules: the top-level ``schedules:`` key of a definition.

::

    schedules:
      nightly:
        cron: "0 2 * * *"
        timezone: Europe/Paris
        input: {source: warehouse}
        overlap: skip

Each entry becomes one Temporal Schedule (``tdsl schedules apply``, see ``docs/SCHEDULES.md``) that starts the
definition with ``input`` exactly as ``tdsl run`` would. The model is declared with the definition's in
:mod:`.models` (workflow code loads it); this module adds the facts the linter and the reconciler share. It
imports neither Temporal nor the catalog.
"""

from __future__ import annotations

import typing

from .models import DEFAULT_TIMEZONE, SCHEDULE_NAME_PATTERN, OverlapPolicy, ScheduleDecl, ScheduleName

__all__ = [
    "CRON_MACROS",
    "DEFAULT_TIMEZONE",
    "OVERLAP_POLICIES",
    "SCHEDULE_NAME_PATTERN",
    "OverlapPolicy",
    "ScheduleDecl",
    "ScheduleName",
]

OVERLAP_POLICIES: tuple[str, ...] = typing.get_args(OverlapPolicy)

CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
"""The ``@`` shorthands Temporal's cron parser accepts besides five-field expressions."""
