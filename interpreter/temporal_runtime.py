"""The :class:`~interpreter.runtime.Runtime` on a Temporal workflow: a thin mapping onto ``temporalio.workflow``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    TimeoutError,
)

from .errors import DefinitionError, StepError
from .runtime import ActivityCall, ChildCall


def _td(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


def step_error_from(err: ActivityError | ChildWorkflowError) -> StepError:
    """Translate a Temporal failure into a typed :class:`StepError` (the cause's type names the error)."""
    cause = err.cause
    if isinstance(cause, CancelledError):
        raise asyncio.CancelledError(str(cause))
    if isinstance(cause, ApplicationError):
        details = list(cause.details) if cause.details else None
        return StepError(cause.type or "ApplicationError", cause.message, details=details)
    if isinstance(cause, TimeoutError):
        kind = cause.type.name if cause.type is not None else "UNKNOWN"
        return StepError("TimeoutError", f"timed out ({kind})")
    if cause is not None:
        return StepError(type(cause).__name__, str(cause))
    return StepError(type(err).__name__, str(err))


class TemporalRuntime:
    """Runs interpreter commands as Temporal workflow commands."""

    def now(self) -> datetime:
        return workflow.now()

    def info(self) -> dict[str, Any]:
        info = workflow.info()
        return {
            "id": info.workflow_id,
            "run_id": info.run_id,
            "task_queue": info.task_queue,
            "attempt": info.attempt,
        }

    async def execute_activity(self, call: ActivityCall) -> Any:
        retry = call.retry
        try:
            return await workflow.execute_activity(
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
            )
        except ActivityError as err:
            raise step_error_from(err) from None
        except TypeError as err:  # arguments that cannot be serialized: a definition bug, not transient
            raise DefinitionError(f"arguments of activity {call.name!r} cannot be serialized: {err}") from None

    async def sleep(self, seconds: float, summary: str | None = None) -> None:
        await workflow.sleep(seconds, summary=summary)

    async def wait_condition(
        self, predicate: Callable[[], bool], timeout: float | None = None, summary: str | None = None
    ) -> bool:
        try:
            await workflow.wait_condition(predicate, timeout=timeout, timeout_summary=summary)
        except asyncio.TimeoutError:
            return False
        return True

    async def execute_child(self, call: ChildCall) -> Any:
        handle = await workflow.start_child_workflow(
            call.workflow_type,
            call.payload,
            id=call.workflow_id or f"{workflow.info().workflow_id}/{workflow.uuid4()}",
            task_queue=call.task_queue,
            memo=call.memo,
            static_summary=call.summary,
            parent_close_policy=(
                workflow.ParentClosePolicy.TERMINATE if call.wait else workflow.ParentClosePolicy.ABANDON
            ),
        )
        if not call.wait:
            return {"workflow_id": handle.id, "run_id": handle.first_execution_run_id}
        try:
            return await handle
        except ChildWorkflowError as err:
            raise step_error_from(err) from None

    async def shield(self, work: Callable[[], Awaitable[Any]]) -> Any:
        task = asyncio.ensure_future(work())
        while True:
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                if task.done():
                    raise
                # The run was cancelled while compensating: keep compensating, then let the cancel stand.

    def continue_as_new_suggested(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    async def continue_as_new(self, payload: dict[str, Any]) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(payload)
