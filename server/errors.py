"""Errors of the client side (engine API, HTTP service, CLI).

::

    EngineError
    ├── NotFound                    -> HTTP 404
    │   ├── UnknownDefinition       no YAML definition or code workflow of that name
    │   ├── UnknownRun              no run with that workflow id
    │   └── UnknownHandler          signal/query/update not declared by the run's definition
    ├── InvalidInput                -> HTTP 422; ``errors`` lists every JSON-Schema violation with its path
    │   └── InvalidPayload          a signal/update payload failed its declared schema
    ├── DefinitionNotRunnable       -> HTTP 422; e.g. it calls activities no worker registers
    ├── RunAlreadyExists            -> HTTP 409; a run with that id is already running
    ├── RunFailedError              the run ended failed/cancelled/terminated (``status``, ``details``)
    └── EngineNotReady              -> HTTP 503; the engine is not started / Temporal unreachable

``TimeoutError`` (builtin) is raised when waiting for a result times out.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base of client-side errors; ``status_code`` is the HTTP status it maps to."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message}


class NotFound(EngineError):
    status_code = 404


class UnknownDefinition(NotFound):
    """No definition or registered workflow has this name."""


class UnknownRun(NotFound):
    """No run has this workflow id."""


class UnknownHandler(NotFound):
    """The run's definition declares no signal/query/update of this name."""


class InvalidInput(EngineError):
    """Input failed the definition's input schema; ``errors`` holds every violation (path, message)."""

    status_code = 422

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "errors": self.errors}


class InvalidPayload(InvalidInput):
    """A signal or update payload failed its declared schema."""


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


class RunFailedError(EngineError):
    """The run did not complete successfully."""

    status_code = 409

    def __init__(self, message: str, *, workflow_id: str, status: str, details: Any = None) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.status = status
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "workflow_id": self.workflow_id, "status": self.status, "details": self.details}


class EngineNotReady(EngineError):
    status_code = 503
