"""Temporal's answers in our terms: RPC errors and update failures become :mod:`tdsl.server.errors`
exceptions, workflow failures become :class:`~tdsl.server.run_types.RunOutcome` values, and our status names
become the words of visibility queries.

Messages also get their "did you mean" hint here, so every unknown name is reported the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    TerminatedError,
)
from temporalio.exceptions import TimeoutError as TemporalTimeoutError
from temporalio.service import RPCError, RPCStatusCode

from tdsl.dsl_schema.suggest import closest_name
from tdsl.errors import record_of

from .errors import (
    EngineError,
    EngineNotReady,
    InvalidInput,
    InvalidPayload,
    TemporalRefused,
    UnknownRun,
    UnknownUpdate,
    UpdateFailed,
)
from .run_types import RunOutcome, RunStatus

__all__ = [
    "cause_chain",
    "declared_hint",
    "did_you_mean",
    "failure_outcome",
    "quote",
    "rpc_error",
    "status_word",
    "update_error",
]

log = logging.getLogger("temporal_dsl.gateway")

# Temporal could not be reached or did not answer in time: the engine is not ready, the request was fine.
_UNAVAILABLE = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


def did_you_mean(name: str, candidates: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, else an empty string."""
    close = closest_name(name, candidates)
    return f" (did you mean {close!r}?)" if close is not None else ""


def declared_hint(name: str, declared: list[str]) -> str:
    """The hint after "declares no signal/query/update 'x'": the closest declared name, else all of them."""
    hint = did_you_mean(name, declared)
    if hint:
        return hint
    return f" (declared: {', '.join(declared)})" if declared else " (it declares none)"


def rpc_error(err: RPCError, workflow_id: str) -> EngineError:
    """The engine error for a failed RPC about ``workflow_id``, decided by its status code alone. A
    NOT_FOUND is "no such run" here; callers that act on a run they saw open ask the run's description
    whether it has closed since (see :class:`~tdsl.server.gateway.messaging.RunMessenger`)."""
    if err.status == RPCStatusCode.NOT_FOUND:
        return UnknownRun(f"no run with id {workflow_id!r}")
    status = err.status.name if err.status else "UNKNOWN"
    # Temporal's own text may carry its internals (its store's SQL errors, transport details): it goes to
    # the log, and the answer says only what kind of refusal it was.
    log.warning("Temporal refused a request about %r (%s): %s", workflow_id, status, err.message)
    if err.status == RPCStatusCode.INVALID_ARGUMENT:
        return InvalidInput(
            "Temporal rejected the request as invalid; the details are in the server log",
            [{"path": "$", "message": "rejected by Temporal (INVALID_ARGUMENT)", "validator": "temporal"}],
        )
    if err.status in _UNAVAILABLE:
        return EngineNotReady(f"Temporal did not answer ({status}); the details are in the server log")
    return TemporalRefused(f"Temporal refused the request ({status}); the details are in the server log")


def _link(failure: BaseException) -> dict[str, Any]:
    """One failure of a cause chain as data: its type and message (an application error's own type, an
    activity's or child's name)."""
    if isinstance(failure, ApplicationError):
        link: dict[str, Any] = {"type": failure.type or "ApplicationError", "message": failure.message}
        if failure.non_retryable:
            link["non_retryable"] = True
        return link
    link = {"type": type(failure).__name__, "message": getattr(failure, "message", None) or str(failure)}
    if isinstance(failure, ActivityError):
        link.update(activity=failure.activity_type, activity_id=failure.activity_id)
    elif isinstance(failure, ChildWorkflowError):
        link.update(workflow=failure.workflow_type, workflow_id=failure.workflow_id)
    return link


def cause_chain(failure: BaseException | None) -> list[dict[str, Any]]:
    """``failure`` and its causes, outermost first (Temporal failures nest: an activity error wraps the
    activity's own exception, a child workflow's error wraps the child's failure)."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    while failure is not None and id(failure) not in seen and len(chain) < 20:
        seen.add(id(failure))
        chain.append(_link(failure))
        failure = failure.__cause__ if isinstance(failure.__cause__, BaseException) else None
    return chain


def _chain_message(chain: list[dict[str, Any]]) -> str:
    """The outer message, then each cause as ``type: message`` (what the worker log says, in one line)."""
    head, *causes = chain
    parts = [str(head["message"])]
    if head.get("activity"):
        parts[0] = f"activity {head['activity']!r} failed"
    elif head.get("workflow"):
        parts[0] = f"child workflow {head['workflow']!r} failed"
    parts.extend(f"{c['type']}: {c['message']}" for c in causes)
    return ": ".join(parts)


def failure_outcome(workflow_id: str, err: WorkflowFailureError) -> RunOutcome:
    """The outcome of a run that closed without a result: its status and its error record. A DSL run's
    failure details carry the record of the error that ended it (``{"error": record, "compensations"}``):
    its step, file and line become the outcome's. A failure with causes (a code workflow's activity error,
    say) keeps them all: the message names each, ``details.causes`` lists them outermost first."""
    cause = err.cause
    status = RunStatus.FAILED
    if isinstance(cause, ApplicationError) and cause.__cause__ is not None:
        chain = cause_chain(cause)
        error = record_of(
            chain[0]["type"], _chain_message(chain),
            details={"causes": chain, "details": list(cause.details) if cause.details else None},
        )
        return RunOutcome(workflow_id, status, error=error)
    if isinstance(cause, ApplicationError):
        details = list(cause.details) if cause.details else None
        where = _cause_record(details)
        error = record_of(
            cause.type or "Error",
            cause.message,
            step=_text(where.get("step")),
            file=_text(where.get("file")),
            line=where.get("line") if isinstance(where.get("line"), int) else None,
            details=details,
        )
        return RunOutcome(workflow_id, status, error=error)
    kind = type(cause).__name__
    if isinstance(cause, CancelledError):
        status, kind = RunStatus.CANCELED, "Cancelled"
    elif isinstance(cause, TerminatedError):
        status, kind = RunStatus.TERMINATED, "Terminated"
    elif isinstance(cause, TemporalTimeoutError):
        status, kind = RunStatus.TIMED_OUT, "TimedOut"
    chain = cause_chain(cause)
    if len(chain) > 1:  # an activity or child failure: keep what it wraps
        return RunOutcome(
            workflow_id, status, error=record_of(kind, _chain_message(chain), details={"causes": chain})
        )
    return RunOutcome(workflow_id, status, error=record_of(kind, str(cause)))


def _cause_record(details: list[Any] | None) -> dict[str, Any]:
    """The record of the error that ended a DSL run, from its failure's details (empty when absent)."""
    first = details[0] if details else None
    error = first.get("error") if isinstance(first, dict) else None
    return error if isinstance(error, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def update_error(name: str, err: WorkflowUpdateFailedError) -> EngineError:
    """The engine error for update ``name`` that the run rejected or that failed."""
    cause = err.cause
    if not isinstance(cause, ApplicationError):
        return UpdateFailed(f"update {name!r} failed: {cause}")
    if cause.type in ("UnknownUpdate",):
        return UnknownUpdate(cause.message)
    if cause.type in ("InvalidPayload", "Rejected"):
        details = cause.details[0] if cause.details and isinstance(cause.details[0], list) else None
        errors = details or [{"path": "$", "message": cause.message, "validator": "update"}]
        return InvalidPayload(f"update {name!r} rejected: {cause.message}", errors)
    return UpdateFailed(f"update {name!r} failed: {cause.type or 'Error'}: {cause.message}")


def quote(text: str) -> str:
    """``text`` escaped for a single-quoted string of a visibility query."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def status_word(status: str) -> str:
    """Visibility queries spell statuses ``Running``, ``Completed``, ``ContinuedAsNew``, ``TimedOut``..."""
    key = status.strip().upper().replace("-", "_")
    if key == "CANCELLED":
        key = "CANCELED"
    if key not in RunStatus.__members__ or key == "UNKNOWN":
        raise InvalidInput(
            f"unknown status {status!r}",
            [
                {
                    "path": "status",
                    "message": f"one of {', '.join(s for s in RunStatus.__members__ if s != 'UNKNOWN')}",
                    "validator": "enum",
                }
            ],
        )
    return "".join(part.capitalize() for part in key.split("_"))
