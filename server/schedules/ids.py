"""Schedule ids: ``tdsl:<task queue>:<definition>:<schedule>``.

The prefix marks the schedules tdsl owns (with the ``tdsl`` memo key it sets when it creates one), and the
task queue scopes them: ``apply --prune`` deletes only schedules of the engine's own task queue, so two
deployments on one namespace never delete each other's schedules. Users name a schedule either by its id or
as ``<definition>:<schedule>`` (the engine's task queue is implied).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MEMO_KEY", "PREFIX", "ScheduleRef", "owned_prefix", "resolve", "schedule_id"]

PREFIX = "tdsl"
MEMO_KEY = "tdsl"
"""The key of the schedule memo tdsl writes on the schedules it creates."""


def schedule_id(task_queue: str, definition: str, name: str) -> str:
    """The id of ``definition``'s schedule ``name`` for the workers of ``task_queue``."""
    return f"{PREFIX}:{task_queue}:{definition}:{name}"


def owned_prefix(task_queue: str) -> str:
    """The id prefix of every schedule tdsl owns on ``task_queue``."""
    return f"{PREFIX}:{task_queue}:"


@dataclass(frozen=True)
class ScheduleRef:
    """A schedule id split into its parts (``definition`` and ``name`` are ``None`` for a foreign id)."""

    id: str
    definition: str | None = None
    name: str | None = None


def resolve(text: str, task_queue: str) -> ScheduleRef:
    """The schedule ``text`` names: a full id, or ``definition:schedule`` on ``task_queue``."""
    prefix = owned_prefix(task_queue)
    if text.startswith(prefix):
        rest = text[len(prefix):]
    elif text.count(":") == 1:
        rest = text
    else:
        return ScheduleRef(text)
    definition, _, name = rest.rpartition(":")
    if not definition or not name:
        return ScheduleRef(text)
    return ScheduleRef(schedule_id(task_queue, definition, name), definition, name)
