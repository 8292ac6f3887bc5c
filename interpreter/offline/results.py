"""What an offline run reports: the calls it made and how it ended."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import DefinitionFailedAtRun, StepFailed


class ActivityLookup(Protocol):
    """What offline runs need of an activity registry."""

    def function(self, name: str) -> Callable[..., Any] | None: ...

    def names(self) -> list[str]: ...


Activities = Mapping[str, Callable[..., Any]] | ActivityLookup
Signals = Iterable[tuple[float | str, str] | tuple[float | str, str, Any]]
Queries = Iterable[tuple[float | str, str] | tuple[float | str, str, Any]]
"""``(at, name)`` or ``(at, name, argument)``: queries (and, with the same shape, updates) to send."""


@dataclass
class OfflineHandlerCall:
    """A query or update sent to an offline run, with its answer as a client would get it."""

    kind: str
    """``query`` or ``update``."""
    name: str
    payload: Any
    at: float
    """Virtual seconds since the run started."""
    outcome: str = "pending"
    """``answered``; ``rejected`` (an update its validator refused: no trace in the run); ``failed`` (the
    handler raised, or the query/update is unknown); ``pending`` (the run ended before it was due)."""
    result: Any = None
    error: dict[str, Any] | None = None
    """The error's record (:meth:`tdsl.errors.TdslError.record`): ``type``, ``message`` and ``details`` as the
    worker's ``ApplicationError`` carries them, ``step``, ``file`` and ``line`` ``None``."""


@dataclass
class OfflineCall:
    """One attempt of an activity (compensations included), in the order they started."""

    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    attempt: int
    at: float
    """Virtual seconds since the run started."""
    workflow_id: str
    summary: str | None = None
    """The step path (``payment``, ``payment.compensate``, ...)."""
    outcome: str = "running"
    """``completed``, ``failed`` or ``cancelled``."""
    result: Any = None
    error: dict[str, Any] | None = None
    """``{"type", "message"}`` of a failed attempt."""
    heartbeats: list[list[Any]] = field(default_factory=list)
    """The details of every ``activity.heartbeat(...)`` the attempt made."""


@dataclass
class OfflineResult:
    """The outcome of an offline run.

    ``status`` is ``completed`` (also when the definition's ``failure_output`` was returned after a failure),
    ``failed`` (``error`` is the step or definition error, ``failure`` the run's failure message as Temporal
    reports it), ``cancelled`` (``cancel_at``) or ``stalled`` (``pending_waits`` says what it waited for).
    """

    status: str
    workflow_id: str
    output: Any = None
    error: StepFailed | DefinitionFailedAtRun | None = None
    failure: str | None = None
    calls: list[OfflineCall] = field(default_factory=list)
    compensations: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    """Virtual seconds the run took."""
    vars: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, Any] = field(default_factory=dict)
    ignored_signals: list[dict[str, Any]] = field(default_factory=list)
    pending_waits: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 1
    """Runs of the top-level workflow (more than one when it continued as new)."""
    details: str = ""
    """The run's last current details (what the Web UI shows)."""
    queries: list[OfflineHandlerCall] = field(default_factory=list)
    """The queries sent (``queries=``), in order, with their answers."""
    updates: list[OfflineHandlerCall] = field(default_factory=list)
    """The updates sent (``updates=``), in order, with their results or rejections."""

    def activity_names(self, *, workflow_id: str | None = None) -> list[str]:
        """Names of the activities that completed, in order (of one workflow id, or all)."""
        return [
            c.name
            for c in self.calls
            if c.outcome == "completed" and (workflow_id is None or c.workflow_id == workflow_id)
        ]

    def calls_to(self, name: str) -> list[OfflineCall]:
        """Every attempt of activity ``name``."""
        return [c for c in self.calls if c.name == name]

    def attempts(self, name: str) -> int:
        """How many times activity ``name`` was attempted."""
        return len(self.calls_to(name))
