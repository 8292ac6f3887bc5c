"""Idempotency keys on the activity side: :func:`idempotency_key`, and the worker interceptor that carries
each DSL activity call's key from the workflow (:mod:`tdsl.interpreter.idempotency`) to the activity in a
Temporal header.

Temporal runs activities at least once: an activity or a compensation that was running when its worker died
runs again on another worker. Pass :func:`idempotency_key` to the service the activity calls (as an
``Idempotency-Key`` header, a request id, a unique column), so a call that runs twice takes effect once.
"""

from __future__ import annotations

from typing import Any

import temporalio.activity
import temporalio.converter
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from tdsl.interpreter.idempotency import HEADER, activity_key, running_key, scheduling_key

__all__ = ["IdempotencyKeys", "idempotency_key"]

_PAYLOADS = temporalio.converter.PayloadConverter.default


def idempotency_key() -> str:
    """The idempotency key of the activity call running now: ``<workflow id>/<first run id>/<step path>``
    (for example ``order-1001/5f0c…/payment`` or ``booking-9/82ad…/flight.compensate``), the same for every
    attempt of the call and different for every other call. Outside a DSL run (an activity of a code
    workflow) it is ``<workflow id>/<run id>/<activity id>``, also stable across attempts. Raises
    ``RuntimeError`` outside an activity."""
    key = running_key()
    if key:
        return key
    info = temporalio.activity.info()
    return f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"


class _Outbound(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> Any:
        key = scheduling_key()
        if key is not None:  # a header: the arguments (and so the user's function) stay as they were
            input.headers = {**input.headers, HEADER: _PAYLOADS.to_payloads([key])[0]}
        return super().start_activity(input)


class _WorkflowInbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_Outbound(outbound))


class _ActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        payload = input.headers.get(HEADER)
        key = _PAYLOADS.from_payloads([payload])[0] if payload is not None else None
        # Sync activities run in a thread with a copy of this context, so they see the key too.
        with activity_key(key if isinstance(key, str) else None):
            return await super().execute_activity(input)


class IdempotencyKeys(Interceptor):
    """Worker interceptor: carries each DSL activity call's key from the workflow to the activity."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActivityInbound(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _WorkflowInbound
