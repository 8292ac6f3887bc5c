"""Run state: what expressions, queries and the built-in progress query see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tdsl.dsl_schema.models import Definition


class Frame:
    """A scope for step results and local names.

    The run has one root frame; each ``foreach`` item runs in a child frame so that the same step ids in
    concurrent items do not overwrite each other. Reads fall through to the parent frame.
    """

    __slots__ = ("locals", "parent", "steps")

    def __init__(self, parent: Frame | None = None, locals: dict[str, Any] | None = None) -> None:
        self.parent = parent
        self.steps: dict[str, Any] = {}
        self.locals: dict[str, Any] = dict(locals or {})

    def child(self, **locals: Any) -> Frame:
        return Frame(self, locals)

    def visible_steps(self) -> dict[str, Any]:
        if self.parent is None:
            return self.steps
        merged = dict(self.parent.visible_steps())
        merged.update(self.steps)
        return merged

    def visible_locals(self) -> dict[str, Any]:
        if self.parent is None:
            return self.locals
        merged = dict(self.parent.visible_locals())
        merged.update(self.locals)
        return merged

    def with_locals(self, **locals: Any) -> Frame:
        """A frame sharing this one's step results but adding local names (signal, error, loop)."""
        view = Frame(self.parent, {**self.locals, **locals})
        view.steps = self.steps
        return view


@dataclass
class Progress:
    """What the built-in ``__progress`` query reports."""

    current: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    completed_count: int = 0
    pending_waits: list[dict[str, Any]] = field(default_factory=list)

    KEEP_COMPLETED = 200  # only the most recent paths, so a 5,000-item foreach keeps queries small

    def start(self, path: str) -> None:
        self.current.append(path)

    def describe(self, status: str) -> str:
        """What the run is doing, in words (the Web UI shows it as the run's current details)."""
        lines = [f"Status: {status}"]
        if self.current:
            shown = self.current[-5:]
            more = f" (and {len(self.current) - len(shown)} more)" if len(self.current) > len(shown) else ""
            lines.append(f"Running: {', '.join(shown)}{more}")
        for wait in self.pending_waits:
            if wait["kind"] == "timer":
                lines.append(f"Waiting until {wait['until']} ({wait['step']})")
            else:
                until = f" until {wait['until']}" if wait.get("until") else ""
                lines.append(f"Waiting for signal {' | '.join(wait['signals'])}{until} ({wait['step']})")
        last = f", last: {self.completed[-1]}" if self.completed else ""
        lines.append(f"Completed steps: {self.completed_count}{last}")
        return "\n".join(lines)

    def finish(self, path: str, *, completed: bool = True) -> None:
        if path in self.current:
            self.current.remove(path)
        if completed:
            self.completed.append(path)
            self.completed_count += 1
            if len(self.completed) > 2 * self.KEEP_COMPLETED:
                del self.completed[: -self.KEEP_COMPLETED]


@dataclass
class RunState:
    """Everything a run knows; plain data so it can be carried across continue-as-new."""

    definition: Definition
    input: Any
    vars: dict[str, Any]
    root: Frame = field(default_factory=Frame)
    signals: dict[str, Any] = field(default_factory=dict)
    signal_buffer: list[tuple[str, Any]] = field(default_factory=list)
    ignored_signals: list[dict[str, Any]] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)
    status: str = "running"

    KEEP_IGNORED = 100  # a flood of bad signals must not grow the run's state without bound

    def ignore_signal(self, name: str, reason: str, **extra: Any) -> None:
        """Record a signal that was ignored (undeclared, undecodable, or failing its schema)."""
        self.ignored_signals.append({"signal": name, "reason": reason, **extra})
        if len(self.ignored_signals) > self.KEEP_IGNORED:
            del self.ignored_signals[: -self.KEEP_IGNORED]

    def take_signal(self, names: list[str]) -> tuple[str, Any] | None:
        """Remove and return the earliest buffered signal among ``names``."""
        for index, (name, payload) in enumerate(self.signal_buffer):
            if name in names:
                del self.signal_buffer[index]
                return name, payload
        return None
