"""Why a running run is not progressing, from what Temporal knows about it.

:func:`diagnose` reads a run's description (its pending workflow task and pending activities), the pollers of
its task queue and, when a workflow task keeps failing, the latest events of its history. Each finding is a
:class:`Stall` (``reason``, ``message``, ``details``):

- ``start_delayed``: the run was started with a delay that has not passed yet (when it will start);
- ``no_workflow_worker``: a workflow task waits and no worker polls the run's task queue;
- ``workflow_task_failing``: the workflow task failed and is being retried (attempt, the error);
- ``no_activity_worker``: an activity waits to start and no worker polls the queue for activities;
- ``activity_retrying``: an activity failed and is retried (attempt, last failure, next attempt).

A run with none of these is waiting for what its definition says (a timer, a signal, a running activity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import (
    EventType,
    PendingActivityState,
    PendingWorkflowTaskState,
    TaskQueueKind,
    TaskQueueType,
)
from temporalio.api.failure.v1 import Failure
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeTaskQueueRequest,
    GetWorkflowExecutionHistoryReverseRequest,
)
from temporalio.client import Client, WorkflowExecutionDescription
from temporalio.service import RPCError

__all__ = ["POLLER_FRESH", "Stall", "diagnose", "failure_text"]

# A live worker long-polls (a minute per poll); a poller not seen for longer than this has gone.
POLLER_FRESH = timedelta(seconds=90)
# A workflow task or activity scheduled this recently may simply not have been picked up yet.
PICKUP_GRACE = timedelta(seconds=2)
_RPC_TIMEOUT = timedelta(seconds=5)


@dataclass(frozen=True)
class Stall:
    """One reason a run is not progressing."""

    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message, "details": self.details}


def failure_text(failure: Failure) -> str:
    """A failure proto and its causes in one line: ``type: message: cause type: cause message``."""
    parts: list[str] = []
    current: Failure | None = failure
    while current is not None and len(parts) < 10:
        kind = current.application_failure_info.type if current.HasField("application_failure_info") else ""
        parts.append(f"{kind}: {current.message}" if kind else current.message)
        current = current.cause if current.HasField("cause") else None
    return ": ".join(p for p in parts if p)


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def _pollers(client: Client, queue: str, kind: TaskQueueType.ValueType, now: datetime) -> int | None:
    """Workers seen polling ``queue`` for ``kind`` tasks lately (``None`` when Temporal would not say)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
        task_queue_type=kind,
    )
    try:
        answer = await client.workflow_service.describe_task_queue(request, timeout=_RPC_TIMEOUT)
    except RPCError:
        return None
    return sum(
        1 for p in answer.pollers if now - p.last_access_time.ToDatetime(tzinfo=UTC) <= POLLER_FRESH
    )


async def _last_task_failure(client: Client, desc: WorkflowExecutionDescription) -> str | None:
    """The error of the latest WorkflowTaskFailed event (the newest events are read first)."""
    request = GetWorkflowExecutionHistoryReverseRequest(
        namespace=client.namespace,
        execution=WorkflowExecution(workflow_id=desc.id, run_id=desc.run_id),
        maximum_page_size=50,
    )
    try:
        answer = await client.workflow_service.get_workflow_execution_history_reverse(
            request, timeout=_RPC_TIMEOUT
        )
    except RPCError:
        return None
    for event in answer.history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return failure_text(event.workflow_task_failed_event_attributes.failure)
    return None


async def diagnose(
    client: Client, desc: WorkflowExecutionDescription, *, now: datetime | None = None
) -> list[Stall]:
    """What keeps the running run ``desc`` from progressing (empty when nothing does)."""
    now = now or datetime.now(UTC)
    raw = desc.raw_description
    queue = desc.task_queue
    found: list[Stall] = []
    starts = desc.execution_time
    if starts is not None and starts > now and desc.history_length <= 2:
        seconds = round((starts - now).total_seconds())
        found.append(
            Stall(
                "start_delayed",
                f"started with a delay: its first step runs at {_when(starts)} (in {seconds}s)",
                {"starts_at": _when(starts)},
            )
        )
        return found
    if raw.HasField("pending_workflow_task"):
        task = raw.pending_workflow_task
        scheduled = task.scheduled_time.ToDatetime(tzinfo=UTC)
        waiting = task.state == PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED
        if waiting and now - scheduled > PICKUP_GRACE:
            pollers = await _pollers(client, queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, now)
            if pollers == 0:
                found.append(
                    Stall(
                        "no_workflow_worker",
                        f"no worker polls task queue {queue!r} for workflow tasks (waiting since "
                        f"{_when(scheduled)}); start one: tdsl worker --task-queue {queue}",
                        {"task_queue": queue, "since": _when(scheduled)},
                    )
                )
        if task.attempt > 1:
            error = await _last_task_failure(client, desc)
            found.append(
                Stall(
                    "workflow_task_failing",
                    f"the workflow task failed and is retried (attempt {task.attempt})"
                    + (f": {error}" if error else ""),
                    {"attempt": task.attempt, "error": error},
                )
            )
    activity_pollers: int | None = -1  # not asked yet
    for activity in raw.pending_activities:
        name = activity.activity_type.name
        if activity.attempt > 1 and activity.HasField("last_failure"):
            limit = f"/{activity.maximum_attempts}" if activity.maximum_attempts else ""
            next_at = (
                activity.next_attempt_schedule_time.ToDatetime(tzinfo=UTC)
                if activity.HasField("next_attempt_schedule_time")
                else None
            )
            last = failure_text(activity.last_failure)
            found.append(
                Stall(
                    "activity_retrying",
                    f"activity {name!r} is retrying (attempt {activity.attempt}{limit}); last failure: {last}"
                    + (f"; next attempt at {_when(next_at)}" if next_at else ""),
                    {
                        "activity": name,
                        "activity_id": activity.activity_id,
                        "attempt": activity.attempt,
                        "maximum_attempts": activity.maximum_attempts or None,
                        "last_failure": last,
                        "next_attempt_at": _when(next_at) if next_at else None,
                    },
                )
            )
        scheduled = activity.scheduled_time.ToDatetime(tzinfo=UTC)
        if (
            activity.state == PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED
            and activity.HasField("scheduled_time")
            and now - scheduled > PICKUP_GRACE
        ):
            if activity_pollers == -1:
                activity_pollers = await _pollers(client, queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, now)
            if activity_pollers == 0:
                found.append(
                    Stall(
                        "no_activity_worker",
                        f"activity {name!r} waits to start: no worker polls task queue {queue!r} for "
                        "activities",
                        {"activity": name, "task_queue": queue, "since": _when(scheduled)},
                    )
                )
    return found
