"""The generic workflow and the step semantics it interprets.

Public API: :class:`DSLWorkflow` (register it on a worker), :func:`workflow_runner` (the sandbox runner with
the right passthrough modules), :class:`RunPayload` (the workflow's input), the :class:`Runtime` interface the
core runs against, the error types, and :func:`run_offline` (a definition on mocked activities and virtual
time, for tests).
"""

from .core import Interpreter, RunFailed, RunPayload
from .errors import CompletedWhileCancelled, ContinueAsNew, DefinitionError, RunEnded, StepError
from .offline import OfflineCall, OfflineResult, OfflineRuntime, run_offline, run_offline_sync
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
    "OfflineCall",
    "OfflineResult",
    "OfflineRuntime",
    "RetrySpec",
    "RunEnded",
    "RunFailed",
    "RunPayload",
    "Runtime",
    "StepError",
    "run_offline",
    "run_offline_sync",
    "workflow_runner",
]
