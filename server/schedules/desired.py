"""What a declared schedule should be on the server.

The run a schedule starts is built by :meth:`~tdsl.server.gateway.RunStarter.run_arguments`, the code
``tdsl run`` uses: the same workflow type (the definition's name), arguments (the definition pinned as the
catalog holds it, with the schedule's input) and memo. Each started run's workflow id is the schedule id
followed by the time it was due (Temporal adds the time).

Temporal stores a cron expression as calendar ranges, so the server cannot tell which declaration a schedule
came from. The declaration (:func:`declared`) therefore travels with the schedule, as a header of its start
action (never seen by the workflow code); ``apply`` compares declarations field by field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
)

from tdsl.dsl_schema.catalog import CatalogEntry
from tdsl.dsl_schema.durations import parse_duration
from tdsl.dsl_schema.schedules import ScheduleDecl

from ..gateway.starting import RunStarter
from .ids import MEMO_KEY, schedule_id

__all__ = ["DECLARED_FIELDS", "DECLARED_HEADER", "DesiredSchedule", "declared", "desired_schedule"]

DECLARED_HEADER = "tdsl-schedule"
"""The start-action header holding the declaration a schedule was last applied from."""

DECLARED_FIELDS = ("definition", "cron", "interval", "offset", "timezone", "input", "overlap",
                   "catchup_window", "jitter", "paused", "note")
"""The fields ``apply`` compares, in the order a plan lists them."""

_OVERLAP = {
    "skip": ScheduleOverlapPolicy.SKIP,
    "buffer_one": ScheduleOverlapPolicy.BUFFER_ONE,
    "buffer_all": ScheduleOverlapPolicy.BUFFER_ALL,
    "cancel_other": ScheduleOverlapPolicy.CANCEL_OTHER,
    "terminate_other": ScheduleOverlapPolicy.TERMINATE_OTHER,
    "allow_all": ScheduleOverlapPolicy.ALLOW_ALL,
}
DEFAULT_CATCHUP_WINDOW = timedelta(days=365)  # Temporal's own default


@dataclass(frozen=True)
class DesiredSchedule:
    """One declared schedule as it should be on the server."""

    id: str
    definition: str
    name: str
    schedule: Schedule
    declared: dict[str, Any]
    memo: dict[str, Any]


def _seconds(value: float | str | None) -> float | None:
    return None if value is None else parse_duration(value)


def _delta(value: float | str | None) -> timedelta | None:
    seconds = _seconds(value)
    return None if seconds is None else timedelta(seconds=seconds)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def declared(entry: CatalogEntry, decl: ScheduleDecl, args: list[Any], memo: dict[str, Any],
             task_queue: str) -> dict[str, Any]:
    """The declaration as ``apply`` compares it. ``definition`` is a digest of the run the schedule starts
    (the pinned definition, its children, the memo), so editing the definition or a child is an update."""
    return {
        "definition": _digest([entry.name, args, memo, task_queue]),
        "cron": decl.cron,
        "interval": _seconds(decl.interval),
        "offset": _seconds(decl.offset),
        "timezone": decl.timezone,
        "input": decl.input,
        "overlap": decl.overlap,
        "catchup_window": _seconds(decl.catchup_window),
        "jitter": _seconds(decl.jitter),
        "paused": decl.paused,
        "note": decl.note,
    }


def desired_schedule(
    starter: RunStarter, entry: CatalogEntry, name: str, decl: ScheduleDecl, header: Any
) -> DesiredSchedule:
    """The schedule ``name`` of ``entry``: checked like a start (input, activities), then built.
    ``header(value)`` encodes the declaration as a header payload."""
    starter.check_input(entry, decl.input)
    starter.check_activities(entry)
    args, memo = starter.run_arguments(entry, decl.input)
    queue = starter.task_queue
    ident = schedule_id(queue, entry.name, name)
    wanted = declared(entry, decl, args, memo, queue)
    if decl.cron is not None:
        spec = ScheduleSpec(cron_expressions=[decl.cron.strip()], time_zone_name=decl.timezone,
                            jitter=_delta(decl.jitter))
    else:
        every = _delta(decl.interval)
        assert every is not None  # the linter requires cron or interval
        spec = ScheduleSpec(
            intervals=[ScheduleIntervalSpec(every=every, offset=_delta(decl.offset))],
            time_zone_name=decl.timezone,
            jitter=_delta(decl.jitter),
        )
    action = ScheduleActionStartWorkflow(entry.name, args=args, id=ident, task_queue=queue, memo=memo)
    action.headers = {DECLARED_HEADER: header(wanted)}  # not among the typed overloads' keywords
    schedule = Schedule(
        action=action,
        spec=spec,
        policy=SchedulePolicy(
            overlap=_OVERLAP[decl.overlap],
            catchup_window=_delta(decl.catchup_window) or DEFAULT_CATCHUP_WINDOW,
        ),
        state=ScheduleState(paused=decl.paused, note=decl.note),
    )
    owner = {MEMO_KEY: {"definition": entry.name, "schedule": name, "task_queue": queue}}
    return DesiredSchedule(ident, entry.name, name, schedule, wanted, owner)
