"""Errors of the client side (engine API, HTTP service, CLI).

::

    EngineError                     status_code: the HTTP status it maps to
    ├── NotFound                    -> 404
    │   ├── UnknownDefinition       no YAML definition or code workflow of that name
    │   ├── UnknownRun              no run with that workflow id
    │   └── UnknownHandler          the run's workflow declares no such handler
    │       ├── UnknownSignal
    │       ├── UnknownQuery
    │       └── UnknownUpdate
    ├── InvalidInput                -> 422; ``errors`` lists every JSON-Schema violation with its path
    │   └── InvalidPayload          a signal/update payload failed its declared schema (or was rejected)
    ├── DefinitionNotRunnable       -> 422; e.g. it calls activities no worker registers
    ├── RunAlreadyExists            -> 409; a run with that id is already running
    ├── RunNotRunning               -> 409; the run has closed and takes no signals/updates/cancels
    ├── RunFailedError              -> 409; the run ended failed/cancelled/terminated/timed out
    ├── HandlerFailed               -> 409; the workflow could not answer
    │   ├── QueryFailed             a declared query failed (for example its expression)
    │   └── UpdateFailed            an accepted update failed
    ├── TemporalError               -> 502; Temporal refused a request for a reason of its own
    └── EngineNotReady              -> 503; the engine is not started / Temporal unreachable or disabled

``TimeoutError`` (builtin) is raised when waiting for a result times out; it is not an ``EngineError``
because "still running" is an answer, not a mistake.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DefinitionNotRunnable",
    "EngineError",
    "EngineNotReady",
    "HandlerFailed",
    "InvalidInput",
    "InvalidPayload",
    "NotFound",
    "QueryFailed",
    "RunAlreadyExists",
    "RunFailedError",
    "RunNotRunning",
    "TemporalError",
    "UnknownDefinition",
    "UnknownHandler",
    "UnknownQuery",
    "UnknownRun",
    "UnknownSignal",
    "UnknownUpdate",
    "UnknownWorkflow",
    "UpdateFailed",
]


class EngineError(Exception):
    """Base of client-side errors; ``status_code`` is the HTTP status it maps to."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        """The JSON body the HTTP service answers with."""
        return {"error": type(self).__name__, "message": self.message}


class NotFound(EngineError):
    """Something named in the request does not exist."""

    status_code = 404


class UnknownDefinition(NotFound):
    """No YAML definition and no registered code workflow has this name."""


UnknownWorkflow = UnknownDefinition  # the seed's word for the same thing


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

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "errors": self.errors}


class InvalidPayload(InvalidInput):
    """A signal or update payload failed its declared schema, or the update's validation rejected it."""


class DefinitionNotRunnable(EngineError):
    """The definition cannot run here (for example it calls activities that are not registered)."""

    status_code = 422


class RunAlreadyExists(EngineError):
    """A run with this workflow id is already running."""

    status_code = 409

    def __init__(self, message: str, workflow_id: str, run_id: str | None = None) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.run_id = run_id

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "workflow_id": self.workflow_id, "run_id": self.run_id}


class RunNotRunning(EngineError):
    """The run has already closed; it takes no more signals, updates, cancels or terminations."""

    status_code = 409

    def __init__(self, message: str, workflow_id: str, status: str) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "workflow_id": self.workflow_id, "status": self.status}


class RunFailedError(EngineError):
    """The run did not complete successfully (``status``: FAILED, CANCELED, TERMINATED, TIMED_OUT)."""

    status_code = 409

    def __init__(
        self,
        message: str,
        *,
        workflow_id: str,
        status: str,
        details: Any = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.status = status
        self.details = details
        self.error_type = error_type

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "workflow_id": self.workflow_id,
            "status": self.status,
            "type": self.error_type,
            "details": self.details,
        }


class HandlerFailed(EngineError):
    """The workflow could not answer a query or an update it declares."""

    status_code = 409


class QueryFailed(HandlerFailed):
    """A declared query failed (for example its expression), or the run rejected queries."""


class UpdateFailed(HandlerFailed):
    """An accepted update failed while it ran."""


class TemporalError(EngineError):
    """Temporal refused a request for a reason of its own (not a mistake in the request)."""

    status_code = 502


class EngineNotReady(EngineError):
    """The engine is not started, Temporal is disabled in the configuration, or unreachable."""

    status_code = 503
