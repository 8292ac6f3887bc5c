"""The activity context of an offline attempt: what ``temporalio.activity`` functions see inside a mock.

On a worker an activity can read ``activity.info()`` (its attempt, workflow id, timeouts...), call
``activity.heartbeat(...)`` and check ``activity.is_cancelled()``. Offline, each attempt gets the same
context, built the way ``temporalio.testing.ActivityEnvironment`` builds it: heartbeat details are kept and
handed to the next attempt (``info().heartbeat_details``), as the server does, and cancelling the step sets
the cancellation event before the mock's task is cancelled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import temporalio.activity
import temporalio.common
from temporalio.converter import default as default_converter
from temporalio.testing import ActivityEnvironment


@dataclass
class AttemptSpec:
    """What an attempt's ``activity.info()`` says (times as the virtual clock has them)."""

    activity_type: str
    activity_id: str
    attempt: int
    workflow_id: str
    workflow_run_id: str
    workflow_type: str
    task_queue: str
    scheduled_time: datetime
    started_time: datetime
    start_to_close: float | None = None
    schedule_to_close: float | None = None
    heartbeat_details: list[Any] = field(default_factory=list)


def _delta(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


class AttemptContext:
    """The activity context of one attempt; :meth:`active` installs it for the code run inside."""

    def __init__(self, spec: AttemptSpec) -> None:
        self.heartbeats: list[tuple[Any, ...]] = []
        """Every ``activity.heartbeat(...)`` of the attempt, in order."""
        self.info = temporalio.activity.Info(
            **{
                **vars(ActivityEnvironment.default_info()),
                "activity_id": spec.activity_id,
                "activity_type": spec.activity_type,
                "attempt": spec.attempt,
                "current_attempt_scheduled_time": spec.started_time,
                "heartbeat_details": list(spec.heartbeat_details),
                "scheduled_time": spec.scheduled_time,
                "started_time": spec.started_time,
                "start_to_close_timeout": _delta(spec.start_to_close),
                "schedule_to_close_timeout": _delta(spec.schedule_to_close),
                "task_queue": spec.task_queue,
                "task_token": f"{spec.workflow_id}/{spec.activity_id}/{spec.attempt}".encode(),
                "workflow_id": spec.workflow_id,
                "workflow_run_id": spec.workflow_run_id,
                "workflow_type": spec.workflow_type,
            }
        )
        self._cancellation = temporalio.activity._ActivityCancellationDetailsHolder()
        self._context = temporalio.activity._Context(
            info=lambda: self.info,
            heartbeat=self._heartbeat,
            cancelled_event=temporalio.common._CompositeEvent(
                thread_event=threading.Event(), async_event=asyncio.Event()
            ),
            worker_shutdown_event=temporalio.common._CompositeEvent(
                thread_event=threading.Event(), async_event=asyncio.Event()
            ),
            shield_thread_cancel_exception=None,
            payload_converter_class_or_instance=default_converter().payload_converter,
            runtime_metric_meter=None,
            client=None,
            cancellation_details=self._cancellation,
        )

    def _heartbeat(self, *details: Any) -> None:
        self.heartbeats.append(details)

    @property
    def last_heartbeat(self) -> list[Any] | None:
        """The details of the last heartbeat (what the next attempt receives), if any."""
        return list(self.heartbeats[-1]) if self.heartbeats else None

    def cancel(self) -> None:
        """Mark the attempt cancelled (``activity.is_cancelled()``), as a worker does on a cancel request."""
        if not self._context.cancelled_event.is_set():
            details = temporalio.activity.ActivityCancellationDetails(cancel_requested=True)
            self._cancellation.details = details
            self._context.cancelled_event.set()

    @contextmanager
    def active(self) -> Iterator[None]:
        """Run the enclosed code (and the tasks it creates, which copy the context) in this context."""
        token = temporalio.activity._Context.set(self._context)
        try:
            yield
        finally:
            temporalio.activity._Context.reset(token)
