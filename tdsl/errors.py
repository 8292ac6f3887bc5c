"""Every error of Temporal DSL, in one tree rooted at :class:`TdslError`.

The classes live next to the code that raises them (the module is in brackets); the groups and the root live
here. A builtin base in parentheses is kept for callers that catch the builtin.

::

    TdslError                                 record(): {type, message, step, file, line, details}
    ├── LanguageError                         the definition language refuses something (compile time)
    │   ├── DefinitionRejected                [dsl_schema.diagnostics] a definition failed to compile;
    │   │   │                                 details: every diagnostic with its position
    │   │   └── YamlSyntaxError               [dsl_schema.diagnostics] the text is not YAML
    │   ├── ExpressionError                   [dsl_schema.expressions] an expression does not parse or failed
    │   │   └── ExpressionOverLimit           [dsl_schema.expressions] over a limit: too long or deep, or a
    │   │                                     value over an evaluation bound (a big power, repetition)
    │   ├── NotData (TypeError)               [dsl_schema.expressions] an expression produced a non-data value
    │   ├── DurationError (ValueError)        [dsl_schema.durations] not a duration or timestamp
    │   └── PayloadError (ValueError)         [dsl_schema.payloads] data failed its JSON Schema
    ├── RunError                              inside the workflow, while a run is interpreted
    │   ├── StepFailed                        [interpreter.errors] a step failed (activity error, timeout,
    │   │                                     ``fail`` step, child); ``catch`` clauses match its ``type``
    │   ├── DefinitionFailedAtRun             [interpreter.errors] the definition is wrong at run time (an
    │   │                                     expression, a duration, its input); never caught nor retried;
    │   │                                     Temporal failure type ``DefinitionError``
    │   ├── RunFailedAfterCompensation        [interpreter.core] the run failed; what was compensated
    │   ├── UpgradeRejected                   [interpreter.upgrade] the run refuses an upgrade offer (its
    │   │                                     validator; sent back as a ``Rejected`` update failure)
    │   └── HandlerFailedInWorkflow           [interpreter.run] a query or update of the run could not be
    │                                         answered; its ``type`` is the Temporal failure type
    │                                         (``UnknownQuery``, ``InvalidPayload``, ``Rejected``, ...)
    ├── EngineError                           the engine API (so HTTP, CLI); ``status_code``: its HTTP status
    │   ├── NotFound                          [server.errors] -> 404
    │   │   ├── UnknownDefinition             [server.errors] no definition or code workflow of that name
    │   │   ├── UnknownRun                    [server.errors] no run with that workflow id
    │   │   ├── UnknownSchedule               [server.schedules.errors] no schedule tdsl owns of that id
    │   │   └── UnknownHandler                [server.errors] the run's workflow declares no such handler
    │   │       ├── UnknownSignal             [server.errors]
    │   │       ├── UnknownQuery              [server.errors]
    │   │       └── UnknownUpdate             [server.errors]
    │   ├── InvalidInput                      [server.errors] -> 422; details.errors lists every violation
    │   │   ├── InvalidPayload                [server.errors] a signal/update payload failed or was rejected
    │   │   └── InvalidRequest                [server.errors] an id, name or payload that is not acceptable
    │   │                                     text (control characters, lone surrogates, too deep)
    │   ├── ActivitiesNotRegistered           [server.errors] -> 422; the definition calls activities no
    │   │                                     worker here registers
    │   ├── RunAlreadyExists                  [server.errors] -> 409; a run with that id is running
    │   ├── RunNotRunning                     [server.errors] -> 409; the run has closed
    │   ├── RunDidNotComplete                 [server.errors] -> 409; failed, cancelled, terminated, timed out
    │   ├── HandlerFailed                     [server.errors] -> 409; the workflow could not answer
    │   │   ├── QueryFailed                   [server.errors]
    │   │   └── UpdateFailed                  [server.errors]
    │   ├── TemporalRefused                   [server.errors] -> 502; Temporal refused for a reason of its own
    │   ├── EngineNotReady                    [server.errors] -> 503; not started, or Temporal unreachable
    │   ├── Unauthorized                      [server.http.errors] -> 401; missing or wrong bearer token
    │   ├── MalformedJSON                     [server.http.errors] -> 400; the body is not JSON
    │   └── BodyTooLarge (HTTPException)      [server.http.limits] -> 413; over ``http.max_body_bytes``
    ├── SetupError                            configuration, command line, starting services
    │   ├── ConfigError (ValueError)          [server.config_sources] an invalid configuration key
    │   ├── UsageError                        [server.cli.common] bad command-line input (exit status 2)
    │   ├── LintPathError                     [dsl_schema.lint.runner] a path given to the linter is missing
    │   ├── HistoryFileError                  [server.replay.sources] a path given to replay holds no history
    │   ├── RegistrationClosed (RuntimeError)  [server.code_workflows] a workflow registered after the
    │   │                                 engine started
    │   ├── MockError                         [server.testing.mocks] a test file's mock cannot be built
    │   ├── DevServerError (RuntimeError)     [server.devserver] the Temporal dev server did not start
    │   └── HTTPServiceError (RuntimeError)   [server.http.serving] the HTTP service did not start
    └── ActivitiesError                       registering and loading activities, and their own failures
        ├── DuplicateActivityError (ValueError)   [activities.registry] two functions under one name
        ├── ActivityModuleError (ImportError)     [activities.modules] an activity module failed to import
        └── SimulatedFailure                  [activities.examples.simulation] an example activity's failure

Not errors: control flow, never reported (they do not derive from :class:`TdslError`)::

    RunEnded                  [interpreter.errors] a ``return`` step ended the run
    ContinueAsNew             [interpreter.errors] (BaseException) the run continues as a new run
    CompletedWhileCancelled   [interpreter.errors] (BaseException) an activity finished while its step was
                              being cancelled
    ForeignWorkflowType       [interpreter.workflow] a workflow type that is no definition: its workflow task
                              fails (not the run) so a worker that registers the type takes it
    _BatchHadEnough           [interpreter.steps.foreach] a batch saw more failures than it tolerates
    _StartToCloseTimeout      [interpreter.offline.runtime] an offline activity attempt ran out of time
    CaseFailed                [server.testing.plugin] a definition test case failed (pytest reports it as a
                              test failure, not an error)
    OverBound                 [dsl_schema.expression_limits] an evaluation passed a bound (becomes an
                              ``ExpressionOverLimit`` naming the expression)
    LoadRefused               [dsl_schema.loader] a document over a loader limit (becomes an E003/E004
                              diagnostic)

``UnknownWorkflow`` is another name of :class:`UnknownDefinition` (the usage guide's word).

Every error answers :meth:`TdslError.record`, the one shape API answers use (HTTP error bodies, a failed
run's ``error``, the command line's ``--format json``, and ``error`` in a definition's ``catch``).

This module imports nothing but the standard library: workflow code reaches it (it is passed through the
sandbox, see :mod:`tdsl.interpreter.sandbox`).
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "ActivitiesError",
    "EngineError",
    "ErrorRecord",
    "LanguageError",
    "RunError",
    "SetupError",
    "TdslError",
    "record_of",
]


class ErrorRecord(TypedDict):
    """An error as API answers carry it: always these six keys, ``None`` where unknown."""

    type: str
    message: str
    step: str | None
    file: str | None
    line: int | None
    details: Any


class TdslError(Exception):
    """The root of every error of the project. ``message`` is the text without a location; ``step``,
    ``file`` and ``line`` say where, when known."""

    step: str | None = None
    file: str | None = None
    line: int | None = None

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    @property
    def record_type(self) -> str:
        """The error's type as users see it (the class name unless the error carries its own)."""
        return type(self).__name__

    @property
    def record_details(self) -> Any:
        """Structured details of the error (``None`` when it has none)."""
        return None

    def record(self) -> ErrorRecord:
        """``{type, message, step, file, line, details}``: the error as API answers carry it."""
        return ErrorRecord(
            type=self.record_type,
            message=self.message,
            step=self.step,
            file=self.file,
            line=self.line,
            details=self.record_details,
        )


def record_of(
    type: str,
    message: str,
    *,
    step: str | None = None,
    file: str | None = None,
    line: int | None = None,
    details: Any = None,
) -> ErrorRecord:
    """A record for an error that is not a :class:`TdslError` (a Temporal failure, a request's shape)."""
    return ErrorRecord(type=type, message=message, step=step, file=file, line=line, details=details)


class LanguageError(TdslError):
    """The definition language refuses something: a definition, an expression, a duration, a payload."""


class RunError(TdslError):
    """Raised inside the workflow while a run is interpreted."""


class EngineError(TdslError):
    """Raised by the engine API (and so answered by the HTTP service and printed by the command line);
    ``status_code`` is the HTTP status it maps to."""

    status_code = 400


class SetupError(TdslError):
    """The configuration, the command line, or a service that could not start."""


class ActivitiesError(TdslError):
    """Registering or loading activities, and the failures of the example activities."""
