"""Errors raised while interpreting a definition (the :class:`~tdsl.errors.RunError` branch of the tree in
:mod:`tdsl.errors`), and the control-flow exceptions of the interpreter.

::

    RunError
    ├── StepFailed               a step failed at run time (activity error, timeout, ``fail`` step, child
    │                            failure); has a ``type`` that ``catch`` clauses and retry policies match
    └── DefinitionFailedAtRun    the definition itself is wrong at run time (bad expression, bad duration,
                                 unknown signal); never caught by ``catch`` and never retried; its Temporal
                                 failure type is ``DefinitionError``
    Exception
    └── RunEnded                 control flow: a ``return`` step ended the run (not an error)
    BaseException
    ├── ContinueAsNew            control flow: the run continues as a new run (never caught by error handling,
    │                            never compensated)
    └── CompletedWhileCancelled  an activity finished although its step was being cancelled (its result
                                 must still be compensated; the cancellation stands)

The workflow turns the first two into a non-retryable Temporal ``ApplicationError`` after compensation.
When the run carries a source map, the error that ends it gets the ``file`` and ``line`` of its step: its
text starts with ``order_processing.yaml:29:`` and its record (:meth:`~tdsl.errors.TdslError.record`, what
expressions see as ``error``) holds both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tdsl.errors import RunError

__all__ = [
    "DETAILS_PATCH",
    "CompletedWhileCancelled",
    "ContinueAsNew",
    "DefinitionFailedAtRun",
    "RunEnded",
    "StepFailed",
    "carried_details",
    "timeout_details",
]

DETAILS_PATCH = "error-details-carried"
"""Runs that started before ``error.details`` had one shape keep the old one on a worker: an activity's
details as the list it raised (``null`` when empty), a timeout's ``null``, and no ``attempts`` when an
activity's retries ran out."""


def carried_details(values: Sequence[Any] | None) -> Any:
    """``error.details`` of an error raised with ``values`` (an ``ApplicationError``'s details): the value
    itself when there is one, the list when several, ``None`` when none; so an activity that raises with one
    value, a ``fail`` step's ``details`` and a child's failure all read the same, ``error.details.<key>``."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def timeout_details(timeout_type: str) -> dict[str, Any]:
    """``error.details`` of a ``TimeoutError``: which timeout fired (``START_TO_CLOSE``,
    ``SCHEDULE_TO_CLOSE``, ``SCHEDULE_TO_START``, ``HEARTBEAT``)."""
    return {"timeout_type": timeout_type}


class StepFailed(RunError):
    """A step failed. ``type`` is the error's type name (an activity's exception class name, ``TimeoutError``,
    ``ChildWorkflowFailed``, or the ``type`` of a ``fail`` step)."""

    def __init__(
        self,
        type: str,
        message: str,
        *,
        step: str | None = None,
        details: Any = None,
        non_retryable: bool = False,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.type = type
        self.step = step
        self.details = details
        self.non_retryable = non_retryable
        """The error itself says retrying cannot help (an ``ApplicationError(non_retryable=True)``)."""
        self.attempts = attempts
        """How many times the failing step ran, when the workflow counted them (block retries, activities
        with jitter): expressions see it as ``error.attempts``."""

    @property
    def record_type(self) -> str:
        return self.type

    @property
    def record_details(self) -> Any:
        return self.details

    def as_dict(self) -> dict[str, Any]:
        """The error as expressions see it: its :meth:`record` (``error.type``, ``error.message``, ...),
        and ``attempts`` when they were counted."""
        record = dict(self.record())
        if self.attempts is not None:
            record["attempts"] = self.attempts
        return record

    def __str__(self) -> str:
        where = f"step '{self.step}' failed: " if self.step else ""
        return f"{_prefix(self.file, self.line)}{where}{self.type}: {self.message}"




class DefinitionFailedAtRun(RunError):
    """The definition cannot be interpreted (for example an expression failed); names the step. Its failure
    type in Temporal is ``DefinitionFailedAtRun``."""

    type = "DefinitionError"

    def __init__(self, message: str, *, step: str | None = None, expression: str | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.expression = expression

    @property
    def record_type(self) -> str:
        return self.type

    @property
    def record_details(self) -> Any:
        return self.expression

    def as_dict(self) -> dict[str, Any]:
        """The error as expressions and the failure's details see it: its :meth:`record`."""
        return dict(self.record())

    def __str__(self) -> str:
        where = f"step '{self.step}': " if self.step else ""
        return f"{_prefix(self.file, self.line)}{where}{self.message}"




def _prefix(file: str | None, line: int | None) -> str:
    return f"{file}:{line}: " if file is not None and line is not None else ""


class RunEnded(Exception):
    """A ``return`` step ended the run with ``output``."""

    def __init__(self, output: Any) -> None:
        super().__init__("run ended by a return step")
        self.output = output


class ContinueAsNew(BaseException):
    """The run continues as a new run that resumes at top-level step ``step_index`` (with ``iterations`` of
    the loops it was in). Raised by the core and carried out by the workflow once every handler finished; a
    ``BaseException`` so no error handling (``catch``, the saga) takes it for a failure or a cancellation."""

    def __init__(self, step_index: int, iterations: dict[str, int]) -> None:
        super().__init__("continue as new")
        self.step_index = step_index
        self.iterations = iterations


class CompletedWhileCancelled(BaseException):
    """The step was cancelled, but its activity had already done its work and returned ``result``. Raised by
    the runtime for activities that wait for their cancellation (the compensable ones), so the step can
    record its compensation before the cancellation goes on."""

    def __init__(self, result: Any) -> None:
        super().__init__("activity completed while its step was cancelled")
        self.result = result
