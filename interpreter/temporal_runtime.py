"""The :class:`~tdsl.interpreter.runtime.Runtime` on a Temporal workflow: a thin mapping onto
``temporalio.workflow``."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    RetryState,
    TimeoutError,
)

from .cancellation import await_outcome
from .errors import DETAILS_PATCH, DefinitionFailedAtRun, StepFailed, carried_details, timeout_details
from .idempotency import keyed
from .payload import RunPayload
from .runtime import ActivityCall, ChildCall


def _td(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


def step_error_from(err: ActivityError | ChildWorkflowError) -> StepFailed:
    """Translate a Temporal failure into a typed :class:`StepFailed` (the cause's type names the error)."""
    cause = err.cause
    if isinstance(cause, CancelledError):
        raise asyncio.CancelledError(str(cause))
    if isinstance(cause, ApplicationError):
        if workflow.patched(DETAILS_PATCH):
            details = carried_details(cause.details)
        else:
            details = list(cause.details) if cause.details else None
        return StepFailed(cause.type or "ApplicationError", cause.message, details=details,
                          non_retryable=cause.non_retryable)
    if isinstance(cause, TimeoutError):
        kind = cause.type.name if cause.type is not None else "UNKNOWN"
        shaped = timeout_details(kind) if workflow.patched(DETAILS_PATCH) else None
        return StepFailed("TimeoutError", f"timed out ({kind})", details=shaped)
    if cause is not None:
        return StepFailed(type(cause).__name__, str(cause))
    return StepFailed(type(err).__name__, str(err))


class TemporalRuntime:
    """Runs interpreter commands as Temporal workflow commands."""

    def now(self) -> datetime:
        return workflow.now()

    def info(self) -> dict[str, Any]:
        info = workflow.info()
        return {
            "id": info.workflow_id,
            "run_id": info.run_id,
            "first_run_id": info.first_execution_run_id,
            "task_queue": info.task_queue,
            "attempt": info.attempt,
        }

    async def execute_activity(self, call: ActivityCall) -> Any:
        retry = call.retry
        try:
            with keyed(call.key):  # the activity reads it as its idempotency key
                handle = workflow.start_activity(
                    call.name,
                    args=list(call.args),
                    start_to_close_timeout=_td(call.start_to_close),
                    schedule_to_close_timeout=_td(call.schedule_to_close),
                    schedule_to_start_timeout=_td(call.schedule_to_start),
                    heartbeat_timeout=_td(call.heartbeat),
                    retry_policy=RetryPolicy(
                        initial_interval=timedelta(seconds=retry.initial_interval),
                        backoff_coefficient=retry.backoff_coefficient,
                        maximum_interval=_td(retry.maximum_interval),
                        maximum_attempts=retry.maximum_attempts,
                        non_retryable_error_types=list(retry.non_retryable_errors),
                    ),
                    task_queue=call.task_queue,
                    summary=call.summary,
                    cancellation_type=(
                        workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
                        if call.wait_for_cancellation
                        else workflow.ActivityCancellationType.TRY_CANCEL
                    ),
                )
        except TypeError as err:  # arguments that cannot be serialized: a definition bug, not transient
            raise DefinitionFailedAtRun(
                f"arguments of activity {call.name!r} cannot be serialized: {err}"
            ) from None
        try:
            if not call.wait_for_cancellation:
                return await handle
            return await await_outcome(handle, handle.cancel, (ActivityError,))
        except ActivityError as err:
            failed = step_error_from(err)
            if err.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED and workflow.patched(DETAILS_PATCH):
                failed.attempts = retry.maximum_attempts  # the only case the failure tells the count
            raise failed from None

    async def sleep(self, seconds: float, summary: str | None = None) -> None:
        await workflow.sleep(seconds, summary=summary)

    async def wait_condition(
        self, predicate: Callable[[], bool], timeout: float | None = None, summary: str | None = None
    ) -> bool:
        try:
            await workflow.wait_condition(predicate, timeout=timeout, timeout_summary=summary)
        except builtins.TimeoutError:
            return False
        return True

    async def execute_child(self, call: ChildCall) -> Any:
        handle = await workflow.start_child_workflow(
            call.workflow_type,
            call.payload.to_data(),
            id=call.workflow_id or f"{workflow.info().workflow_id}/{workflow.uuid4()}",
            task_queue=call.task_queue,
            memo=call.memo,
            static_summary=call.summary,
            # A waited-for child is asked to cancel (so it compensates) if the parent closes first; a child
            # started without waiting lives on.
            parent_close_policy=(
                workflow.ParentClosePolicy.REQUEST_CANCEL if call.wait else workflow.ParentClosePolicy.ABANDON
            ),
        )
        if not call.wait:
            return {"workflow_id": handle.id, "run_id": handle.first_execution_run_id}
        try:
            return await handle
        except ChildWorkflowError as err:
            raise step_error_from(err) from None

    async def wait(self, tasks: Sequence[asyncio.Task[Any]], *, first_completed: bool) -> None:
        await workflow.wait(
            tasks, return_when=asyncio.FIRST_COMPLETED if first_completed else asyncio.FIRST_EXCEPTION
        )

    def random(self) -> float:
        return workflow.random().random()

    def set_details(self, text: str) -> None:
        workflow.set_current_details(text)

    def patched(self, patch_id: str) -> bool:
        return workflow.patched(patch_id)

    def continue_as_new_suggested(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    async def continue_as_new(
        self,
        payload: Callable[[], RunPayload],
        memo: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None,
    ) -> RunPayload:
        await workflow.wait_condition(workflow.all_handlers_finished)
        data = payload().to_data()
        # ``None`` keeps the run's memo (every continue-as-new but an upgrade's)
        workflow.continue_as_new(data, memo=memo(workflow.memo()) if memo is not None else None)
