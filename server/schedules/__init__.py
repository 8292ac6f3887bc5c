"""Declared schedules reconciled to Temporal Schedules.

::

    ids        the schedule id of a definition's declared schedule, and the ids tdsl owns
    desired    what a declared schedule should be on the server (spec, policy, state, the run it starts)
    plan       what ``apply`` would change: create, update (which fields), delete, unchanged
    service    ScheduleService: apply (dry run, prune), list, describe, pause, unpause, trigger, backfill,
               delete
    errors     UnknownSchedule

The engine (``engine.schedules``), ``tdsl schedules`` and ``/schedules`` of the HTTP service all use
:class:`~.service.ScheduleService`. Modules are imported on first use so that importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import UnknownSchedule
    from .plan import ScheduleChange, SchedulePlan
    from .service import ScheduleService

__all__ = ["ScheduleChange", "SchedulePlan", "ScheduleService", "UnknownSchedule"]

_WHERE = {
    "ScheduleChange": "tdsl.server.schedules.plan",
    "SchedulePlan": "tdsl.server.schedules.plan",
    "ScheduleService": "tdsl.server.schedules.service",
    "UnknownSchedule": "tdsl.server.schedules.errors",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tdsl.server.schedules' has no attribute {name!r}")
