"""The first place a replay departs from its history, explained in the DSL's terms.

Temporal matches the commands a replay issues with the history's command events, in order. So does this
module: the first position where the kinds or type names differ is the divergence, reported with the history's
event id, the step path (from the event's summary, or the command's), what the history has and what the code
would do. Temporal's own error text is kept as detail and read (for an event id) only when the comparison
finds no difference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.api.history.v1 import HistoryEvent
from temporalio.bridge.proto.workflow_commands import WorkflowCommand

from .actions import Action, from_command, from_event

__all__ = ["Divergence", "find_divergence"]

_EVENT_IN_TEXT = re.compile(r"HistoryEvent\(id: (\d+)")
_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Divergence:
    """Where and how a replay departs from its history."""

    event_id: int | None
    step: str | None
    history: Action | None
    """What the history has there (``None``: the history has no further command)."""
    code: Action | None
    """What today's code would do instead (``None``: it issues no command there)."""
    message: str
    """Temporal's error, shortened to its core message."""

    def explain(self) -> str:
        """One line: ``event 5, step payment: the history has activity charge_payment (step payment); the
        code would schedule activity charge_card (step payment)``."""
        where = ", ".join(
            part for part in (
                f"event {self.event_id}" if self.event_id is not None else None,
                f"step {self.step}" if self.step else None,
            ) if part
        )
        if self.history is None and self.code is None:
            return (where + ": " if where else "") + self.message
        has = "the history has " + (self.history.describe() if self.history else "no further command")
        would = "the code would " + (self.code.verb() if self.code else "issue no command there")
        return (where + ": " if where else "") + f"{has}; {would}"

    def as_dict(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "step": self.step,
            "history": self.history.as_dict() if self.history else None,
            "code": self.code.as_dict() if self.code else None,
            "explanation": self.explain(),
            "message": self.message,
        }


def core_message(error: BaseException) -> str:
    """The message inside the SDK's wrapping (``Failure { failure: Some(Failure { message: "..." ...``)."""
    text = str(error)
    found = _CORE_MESSAGE.search(text)
    return found.group(1).replace('\\"', '"').replace("\\'", "'") if found else text


def find_divergence(
    events: Sequence[HistoryEvent], commands: Sequence[WorkflowCommand], error: BaseException
) -> Divergence:
    """Explain ``error``, the failure of replaying ``events``, given the ``commands`` the replay issued."""
    message = core_message(error)
    recorded = [action for event in events if (action := from_event(event)) is not None]
    produced = [action for command in commands if (action := from_command(command)) is not None]
    for index in range(max(len(recorded), len(produced))):
        has = recorded[index] if index < len(recorded) else None
        would = produced[index] if index < len(produced) else None
        if has is not None and would is not None and has.same_command(would):
            continue
        if has is None and "nondeterminism" not in message.lower():
            break  # the code went on past an open run's end: not what failed
        step = (has.step if has else None) or (would.step if would else None)
        event_id = has.event_id if has else _event_in(message)
        return Divergence(event_id, step, has, would, message)
    # The commands agree as far as they go: name the event Temporal's text names, if any.
    event_id = _event_in(message)
    by_id = {event.event_id: event for event in events}
    has = from_event(by_id[event_id]) if event_id in by_id else None
    return Divergence(event_id, has.step if has else None, None, None, message)


def _event_in(message: str) -> int | None:
    found = _EVENT_IN_TEXT.search(message)
    return int(found.group(1)) if found else None
