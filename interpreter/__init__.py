"""The generic workflow and the step semantics it interprets.

Public API: :class:`DSLWorkflow` (register it on a worker), :func:`workflow_runner` (the sandbox runner with
the right passthrough modules), :class:`RunPayload` (the workflow's input), the :class:`Runtime` interface the
core runs against, and the error types.
"""

from .core import Interpreter, RunFailed, RunPayload
from .errors import CompletedWhileCancelled, ContinueAsNew, DefinitionError, RunEnded, StepError
from .runtime import ActivityCall, ChildCall, RetrySpec, Runtime
from .sandbox import PASSTHROUGH_MODULES, workflow_runner
from .workflow import PROGRESS_QUERY, DSLWorkflow

__all__ = [
    "PASSTHROUGH_MODULES",
    "PROGRESS_QUERY",
    "ActivityCall",
    "ChildCall",
    "CompletedWhileCancelled",
    "ContinueAsNew",
    "DSLWorkflow",
    "DefinitionError",
    "Interpreter",
    "RetrySpec",
    "RunEnded",
    "RunFailed",
    "RunPayload",
    "Runtime",
    "StepError",
    "workflow_runner",
]
