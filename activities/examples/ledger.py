"""A record of what example activities did, so tests and demos can check side effects and compensations.

The example activities stand in for real services (payments, inventory, email, ...). Each call appends an
entry; entries carry the workflow id of the run that made them, so concurrent runs stay apart. The ledger is
in-process: it is read by tests that run their worker in the same process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity


@dataclass(frozen=True)
class Entry:
    workflow_id: str | None
    activity: str
    args: tuple[Any, ...]
    attempt: int
    outcome: str  # "ok", "failed", or "deduplicated" (a request seen before: no second effect)
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Ledger:
    """Thread-safe list of :class:`Entry` (sync activities run in a thread pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Entry] = []

    def record(self, name: str, args: tuple[Any, ...], outcome: str, result: Any = None) -> None:
        workflow_id = attempt = None
        if activity.in_activity():
            info = activity.info()
            workflow_id, attempt = info.workflow_id, info.attempt
        with self._lock:
            self._entries.append(Entry(workflow_id, name, args, attempt or 1, outcome, result))

    def entries(self, workflow_id: str | None = None) -> list[Entry]:
        """Entries of one run (or all), oldest first."""
        with self._lock:
            return [e for e in self._entries if workflow_id is None or e.workflow_id == workflow_id]

    def calls(self, workflow_id: str | None = None, *, succeeded_only: bool = True) -> list[str]:
        """Activity names called by a run, in order (successful calls only by default)."""
        return [e.activity for e in self.entries(workflow_id) if not succeeded_only or e.outcome == "ok"]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ledger = Ledger()
