"""The narrow interface between the interpreter core and the engine that runs it.

The core never imports Temporal. It asks a :class:`Runtime` to call an activity, sleep, wait for a condition,
run a child, wait for several tasks, or tell the time. :mod:`tdsl.interpreter.temporal_runtime` implements it
on a Temporal workflow, :mod:`tdsl.interpreter.offline` with mocked activities and virtual time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .payload import RunPayload


@dataclass(frozen=True)
class RetrySpec:
    """A resolved retry policy; durations in seconds."""

    initial_interval: float = 1.0
    backoff_coefficient: float = 2.0
    maximum_interval: float | None = None
    maximum_attempts: int = 3
    non_retryable_errors: tuple[str, ...] = ()
    jitter: float = 0.0
    """Each backoff delay is multiplied by a factor drawn from ``[1 - jitter, 1 + jitter]``; an activity
    with jitter is retried by the workflow (one scheduled attempt at a time)."""


@dataclass(frozen=True)
class ActivityCall:
    """One activity invocation with resolved options (durations in seconds)."""

    name: str
    args: Sequence[Any]
    start_to_close: float | None
    schedule_to_close: float | None = None
    schedule_to_start: float | None = None
    heartbeat: float | None = None
    retry: RetrySpec = field(default_factory=RetrySpec)
    task_queue: str | None = None
    summary: str | None = None
    wait_for_cancellation: bool = False
    """When the step is cancelled, wait to learn whether the activity stopped or finished (compensable
    steps: a finished one must be undone); otherwise the step stops waiting at once."""
    key: str | None = None
    """The call's idempotency key (``<workflow id>/<first run id>/<step path>``), which the activity reads
    with :func:`tdsl.activities.idempotency_key` (:mod:`tdsl.interpreter.idempotency`)."""


@dataclass(frozen=True)
class ChildCall:
    """Start a child run of another definition (``payload`` is the generic workflow's input)."""

    workflow_type: str
    payload: RunPayload
    workflow_id: str | None
    wait: bool
    task_queue: str | None = None
    memo: dict[str, Any] | None = None
    summary: str | None = None


class Runtime(Protocol):
    """What the interpreter needs from the engine running it."""

    def now(self) -> datetime:
        """The current (replay-safe) time, timezone-aware UTC."""

    def info(self) -> dict[str, Any]:
        """Identity of the run: ``id``, ``run_id``, ``first_run_id`` (the run that started its chain of
        continue-as-new), ``task_queue``, ``attempt``."""

    async def execute_activity(self, call: ActivityCall) -> Any:
        """Run an activity; raise ``StepFailed`` when it finally fails. Cancelled while it runs, raise
        ``CancelledError``, or :class:`~tdsl.interpreter.errors.CompletedWhileCancelled` when
        ``call.wait_for_cancellation`` and it finished anyway."""

    async def sleep(self, seconds: float, summary: str | None = None) -> None:
        """Durable timer."""

    async def wait_condition(
        self, predicate: Callable[[], bool], timeout: float | None = None, summary: str | None = None
    ) -> bool:
        """Wait until ``predicate()`` holds; ``False`` when ``timeout`` seconds passed first."""

    async def execute_child(self, call: ChildCall) -> Any:
        """Run a child; its result, or ``{"workflow_id": ...}`` when ``call.wait`` is false."""

    async def wait(self, tasks: Sequence[asyncio.Task[Any]], *, first_completed: bool) -> None:
        """Wait until the first of ``tasks`` completes (``first_completed``) or until the first fails or all
        completed. The caller inspects the tasks in list order (Temporal: ``workflow.wait``)."""

    def random(self) -> float:
        """A number in ``[0, 1)`` that replays the same (Temporal: ``workflow.random()``)."""

    def set_details(self, text: str) -> None:
        """Say what the run is doing now (the Web UI shows it as the run's current details)."""

    def patched(self, patch_id: str) -> bool:
        """Whether this run takes the code path of change ``patch_id``. Runs that started before the change
        replay the old path (Temporal's ``workflow.patched``): guard interpreter changes that alter the
        commands a run issues with it, so runs in flight keep replaying."""

    def continue_as_new_suggested(self) -> bool:
        """Whether the engine asks the run to continue as new (history too large)."""

    async def continue_as_new(
        self,
        payload: Callable[[], RunPayload],
        memo: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None,
    ) -> RunPayload:
        """Once every signal and update handler has finished, continue as a new run with ``payload()`` as
        its input (and ``memo(current memo)`` as its memo unless that is ``None``: then the same memo).
        On Temporal this never returns; an engine that restarts the run in this process (offline)
        returns the input the new run starts with (as it would arrive: through the data converter)."""
