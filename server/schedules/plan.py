"""What ``apply`` changes (or, with a dry run, would change), one line per schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Action", "ScheduleChange", "SchedulePlan"]

Action = Literal["create", "update", "delete", "unchanged"]
_MARK = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}


@dataclass(frozen=True)
class ScheduleChange:
    """One schedule: what happens to it, and for an update which declared fields differ."""

    action: Action
    id: str
    definition: str | None
    schedule: str | None
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "id": self.id, "definition": self.definition,
                "schedule": self.schedule, "fields": list(self.fields)}

    def render(self) -> str:
        what = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{_MARK[self.action]} {self.action:<9} {self.id}{what}"


@dataclass
class SchedulePlan:
    """The changes of one ``apply``; ``applied`` is false for a dry run."""

    changes: list[ScheduleChange] = field(default_factory=list)
    applied: bool = True

    def of(self, action: Action) -> list[ScheduleChange]:
        return [c for c in self.changes if c.action == action]

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) created, updated or deleted."""
        return any(c.action != "unchanged" for c in self.changes)

    def summary(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ("create", "update", "delete", "unchanged")}

    def to_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "summary": self.summary(),
                "changes": [c.to_dict() for c in self.changes]}

    def render(self) -> str:
        """A line per schedule, then the counts (``would`` for a dry run)."""
        lines = [c.render() for c in self.changes] or ["no schedules declared or owned"]
        counts = ", ".join(f"{n} {a}" for a, n in self.summary().items() if n)
        verb = "applied" if self.applied else "dry run, nothing changed"
        lines.append(f"{counts or 'nothing'} ({verb})")
        return "\n".join(lines)
