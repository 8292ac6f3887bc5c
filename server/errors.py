"""Errors of the client side (engine API, HTTP service, CLI): the :class:`~tdsl.errors.EngineError` branch of
the tree drawn in :mod:`tdsl.errors`. ``status_code`` is the HTTP status each maps to.

``TimeoutError`` (builtin) is raised when waiting for a result times out; it is not an ``EngineError``
because "still running" is an answer, not a mistake.
"""

from __future__ import annotations

from typing import Any

from tdsl.errors import EngineError, ErrorRecord

__all__ = [
    "ActivitiesNotRegistered",
    "EngineError",
    "EngineNotReady",
    "HandlerFailed",
    "InvalidInput",
    "InvalidPayload",
    "InvalidRequest",
    "NotFound",
    "QueryFailed",
    "RunAlreadyExists",
    "RunDidNotComplete",
    "RunNotRunning",
    "TemporalRefused",
    "UnknownDefinition",
    "UnknownHandler",
    "UnknownQuery",
    "UnknownRun",
    "UnknownSignal",
    "UnknownUpdate",
    "UnknownWorkflow",
    "UpdateFailed",
]


class NotFound(EngineError):
    """Something named in the request does not exist."""

    status_code = 404


class UnknownDefinition(NotFound):
    """No YAML definition and no registered code workflow has this name."""


UnknownWorkflow = UnknownDefinition  # the usage guide's word for the same thing


class UnknownRun(NotFound):
    """No run has this workflow id."""


class UnknownHandler(NotFound):
    """The run's workflow declares no signal/query/update of this name."""

    kind = "handler"


class UnknownSignal(UnknownHandler):
    """The run's workflow declares no signal of this name."""

    kind = "signal"


class UnknownQuery(UnknownHandler):
    """The run's workflow declares no query of this name."""

    kind = "query"


class UnknownUpdate(UnknownHandler):
    """The run's workflow declares no update of this name."""

    kind = "update"


class InvalidInput(EngineError):
    """Input failed the definition's input schema; ``errors`` holds every violation (path, message)."""

    status_code = 422

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors

    @property
    def record_details(self) -> Any:
        return {"errors": self.errors}


class InvalidPayload(InvalidInput):
    """A signal or update payload failed its declared schema, or the update's validation rejected it."""


class InvalidRequest(InvalidInput):
    """The request itself is not acceptable text: an id or name with a control character, a payload with a
    lone surrogate or nested too deeply (:mod:`tdsl.server.validation`)."""


class ActivitiesNotRegistered(EngineError):
    """The definition cannot run here: it calls activities that no worker of this engine registers."""

    status_code = 422

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing

    @property
    def record_details(self) -> Any:
        return {"activities": self.missing}




class RunAlreadyExists(EngineError):
    """A run with this workflow id is already running."""

    status_code = 409

    def __init__(self, message: str, workflow_id: str, run_id: str | None = None) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.run_id = run_id

    @property
    def record_details(self) -> Any:
        return {"workflow_id": self.workflow_id, "run_id": self.run_id}


class RunNotRunning(EngineError):
    """The run has already closed; it takes no more signals, updates, cancels or terminations."""

    status_code = 409

    def __init__(self, message: str, workflow_id: str, status: str) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.status = status

    @property
    def record_details(self) -> Any:
        return {"workflow_id": self.workflow_id, "status": self.status}


class RunDidNotComplete(EngineError):
    """The run closed without a result (``status``: FAILED, CANCELED, TERMINATED, TIMED_OUT); ``error`` is the
    record of what ended it (its ``step``, ``file`` and ``line`` are this error's too)."""

    status_code = 409

    def __init__(
        self,
        message: str,
        *,
        workflow_id: str,
        status: str,
        error: ErrorRecord | None = None,
    ) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.status = status
        self.error = error
        if error is not None:
            self.step, self.file, self.line = error["step"], error["file"], error["line"]

    @property
    def error_type(self) -> str | None:
        """The type of the failure that ended the run (``InvalidAddress``, ``Cancelled``, ...)."""
        return self.error["type"] if self.error is not None else None

    @property
    def details(self) -> Any:
        """The details of the failure that ended the run."""
        return self.error["details"] if self.error is not None else None

    @property
    def record_details(self) -> Any:
        return {"workflow_id": self.workflow_id, "status": self.status, "error": self.error}




class HandlerFailed(EngineError):
    """The workflow could not answer a query or an update it declares."""

    status_code = 409


class QueryFailed(HandlerFailed):
    """A declared query failed (for example its expression), or the run rejected queries."""


class UpdateFailed(HandlerFailed):
    """An accepted update failed while it ran."""


class TemporalRefused(EngineError):
    """Temporal refused a request for a reason of its own (not a mistake in the request)."""

    status_code = 502




class EngineNotReady(EngineError):
    """The engine is not started, Temporal is disabled in the configuration, or unreachable."""

    status_code = 503
