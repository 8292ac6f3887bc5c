"""What :class:`~tdsl.server.runs.RunService` answers: run statuses, started runs, run info and run outcomes.

Each value renders as plain data with ``as_dict()`` (statuses by name, times in ISO 8601), the form the HTTP
service and the CLI print.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from tdsl.errors import ErrorRecord

__all__ = ["RunInfo", "RunOutcome", "RunStatus", "StartedRun", "iso"]


def iso(moment: datetime | None) -> str | None:
    """``moment`` in ISO 8601, ``None`` when there is none."""
    return moment.isoformat() if moment else None


class RunStatus(enum.StrEnum):
    """A run's status; ``.value`` is its name (``"RUNNING"``, ``"COMPLETED"``, ...)."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    TIMED_OUT = "TIMED_OUT"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def of(cls, status: WorkflowExecutionStatus | None) -> RunStatus:
        return cls(status.name) if status is not None and status.name in cls.__members__ else cls.UNKNOWN

    @property
    def is_open(self) -> bool:
        return self is RunStatus.RUNNING

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class StartedRun:
    """A started (or, for idempotent starts, already existing) run."""

    workflow_id: str
    run_id: str | None
    definition: str
    existing: bool = False

    @property
    def id(self) -> str:
        return self.workflow_id

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunInfo:
    """What :meth:`RunService.info <server.runs.RunService.info>` reports: the seed's ``get_status`` answer.

    ``workflow_type`` is the definition name (DSL runs) or the workflow class name; ``definition``,
    ``version``, ``sha256`` and ``commit`` come from the run's memo (DSL runs only); ``progress`` is the
    built-in progress query's answer when asked for and available.
    """

    workflow_id: str
    run_id: str | None
    workflow_type: str
    status: RunStatus
    start_time: datetime | None
    close_time: datetime | None
    execution_time: datetime | None
    task_queue: str | None
    history_length: int | None
    definition: str | None = None
    version: int | str | None = None
    sha256: str | None = None
    commit: str | None = None
    progress: dict[str, Any] | None = None
    # Why a running run is not progressing (each ``{reason, message, details}``); ``None`` when nothing
    # stops it (see tdsl.server.gateway.diagnosing).
    stalled: list[dict[str, Any]] | None = None
    # What ended a run that did not complete (asked for with the progress).
    error: ErrorRecord | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        for key in ("start_time", "close_time", "execution_time"):
            data[key] = iso(data[key])
        return data


@dataclass(frozen=True)
class RunOutcome:
    """A run's result when it has one: ``status`` plus ``result`` (COMPLETED) or ``error`` (closed otherwise);
    a RUNNING outcome has neither."""

    workflow_id: str
    status: RunStatus
    result: Any = None
    error: ErrorRecord | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"workflow_id": self.workflow_id, "status": self.status.value}
        if self.status is RunStatus.COMPLETED:
            data["result"] = self.result
        elif self.error is not None:
            data["error"] = self.error
        return data
