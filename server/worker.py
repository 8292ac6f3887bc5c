"""Build a worker that runs the generic DSL workflow, code-defined workflows and registered activities."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker, WorkflowRunner

from tdsl.activities.builtin import builtin_activities
from tdsl.activities.idempotency import IdempotencyKeys
from tdsl.activities.registry import ActivityRegistry
from tdsl.interpreter import DSLWorkflow
from tdsl.interpreter import workflow_runner as dsl_workflow_runner

from .config import WorkerSettings

# Fewer workflow task slots starve: the one slot waits on a poll of the normal queue while the run's next
# task sits on the worker's sticky queue until that times out (seconds per task).
MIN_WORKFLOW_TASK_SLOTS = 2


def workflow_task_slots(max_concurrent_workflows: int) -> int:
    """Workflow tasks the worker runs at once for ``max_concurrent_workflows`` (at least
    :data:`MIN_WORKFLOW_TASK_SLOTS`). Runs waiting on timers, signals or activities hold no slot, so the
    key bounds workflow code executing at once, not open runs."""
    return max(MIN_WORKFLOW_TASK_SLOTS, max_concurrent_workflows)


def build_worker(
    client: Client,
    task_queue: str,
    registry: ActivityRegistry,
    settings: WorkerSettings | None = None,
    workflows: Sequence[type] = (),
    workflow_runner: WorkflowRunner | None = None,
) -> Worker:
    """A worker for ``task_queue``: the DSL workflow plus ``workflows``, the registry's activities and the
    built-in ones the registry does not replace (``tdsl.http``, :mod:`tdsl.activities.builtin`)."""
    settings = settings or WorkerSettings()
    executor = (
        ThreadPoolExecutor(max_workers=settings.max_concurrent_activities, thread_name_prefix="activity")
        if registry.has_sync()
        else None
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[DSLWorkflow, *workflows],
        activities=[*registry.activities(), *builtin_activities(registry)],
        activity_executor=executor,
        workflow_runner=workflow_runner or dsl_workflow_runner(),
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=workflow_task_slots(settings.max_concurrent_workflows),
        # The configuration's "rate limit across the task queue" is the server's per-queue limit; the
        # per-worker limit is a key of its own.
        max_task_queue_activities_per_second=settings.activities_per_second,
        max_activities_per_second=settings.worker_activities_per_second,
        max_cached_workflows=settings.max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.graceful_shutdown_seconds),
        interceptors=[IdempotencyKeys()],
    )
