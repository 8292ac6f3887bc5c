"""The generic workflow and the step semantics it interprets.

Public API: :class:`DSLWorkflow` (register it on a worker), :func:`workflow_runner` (the sandbox runner with
the right passthrough modules), :class:`RunPayload` (the workflow's input), :class:`Run` (the core of a run:
run loop, signals, queries, updates), the :class:`Runtime` interface the core runs against, the error types,
and :func:`run_offline` (a definition on mocked activities and virtual time, for tests).

Names are imported on first use: the workflow sandbox loads this package for every run, so it must import
nothing itself (see :mod:`tdsl.interpreter.sandbox`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import Interpreter, RunFailedAfterCompensation
    from .errors import (
        CompletedWhileCancelled,
        ContinueAsNew,
        DefinitionFailedAtRun,
        RunEnded,
        StepFailed,
    )
    from .offline import OfflineCall, OfflineResult, OfflineRuntime, run_offline, run_offline_sync
    from .payload import Fragment, PinnedChild, ResumeState, RunPayload
    from .run import PROGRESS_QUERY, HandlerFailedInWorkflow, Run
    from .runtime import ActivityCall, ChildCall, RetrySpec, Runtime
    from .sandbox import PASSTHROUGH_MODULES, workflow_runner
    from .workflow import DSLWorkflow

_WHERE = {
    "PASSTHROUGH_MODULES": "sandbox",
    "PROGRESS_QUERY": "run",
    "ActivityCall": "runtime",
    "ChildCall": "runtime",
    "CompletedWhileCancelled": "errors",
    "ContinueAsNew": "errors",
    "DSLWorkflow": "workflow",
    "DefinitionFailedAtRun": "errors",
    "Fragment": "payload",
    "HandlerFailedInWorkflow": "run",
    "Interpreter": "core",
    "OfflineCall": "offline",
    "OfflineResult": "offline",
    "OfflineRuntime": "offline",
    "PinnedChild": "payload",
    "ResumeState": "payload",
    "RetrySpec": "runtime",
    "Run": "run",
    "RunEnded": "errors",
    "RunFailedAfterCompensation": "core",
    "RunPayload": "payload",
    "Runtime": "runtime",
    "StepFailed": "errors",
    "run_offline": "offline",
    "run_offline_sync": "offline",
    "workflow_runner": "sandbox",
}

__all__ = [
    "PASSTHROUGH_MODULES",
    "PROGRESS_QUERY",
    "ActivityCall",
    "ChildCall",
    "CompletedWhileCancelled",
    "ContinueAsNew",
    "DSLWorkflow",
    "DefinitionFailedAtRun",
    "Fragment",
    "HandlerFailedInWorkflow",
    "Interpreter",
    "OfflineCall",
    "OfflineResult",
    "OfflineRuntime",
    "PinnedChild",
    "ResumeState",
    "RetrySpec",
    "Run",
    "RunEnded",
    "RunFailedAfterCompensation",
    "RunPayload",
    "Runtime",
    "StepFailed",
    "run_offline",
    "run_offline_sync",
    "workflow_runner",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
