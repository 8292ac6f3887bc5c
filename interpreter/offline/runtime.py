"""The :class:`~tdsl.interpreter.runtime.Runtime` of offline runs: mocked activities, virtual timers,
recursive children, restarts for continue-as-new."""

from __future__ import annotations

import asyncio
import copy
import inspect
import itertools
import random as pyrandom
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from temporalio.converter import default as default_converter
from temporalio.exceptions import ApplicationError

from ..cancellation import await_outcome
from ..core import Interpreter, RunFailedAfterCompensation
from ..errors import (
    CompletedWhileCancelled,
    DefinitionFailedAtRun,
    StepFailed,
    carried_details,
    timeout_details,
)
from ..idempotency import activity_key
from ..kwargs import pack_arguments, split_arguments
from ..payload import RunPayload
from ..run import HandlerFailedInWorkflow, Run
from ..runtime import ActivityCall, ChildCall, RetrySpec
from .clock import Condition, VirtualLoop, resolve
from .context import AttemptContext, AttemptSpec
from .results import Activities, OfflineCall
from .trace import Trace, step_path

UNLIMITED_ATTEMPTS = 1000
"""Attempts of an activity whose retry policy says ``maximum_attempts: 0`` (forever), offline."""

DEFAULT_MAXIMUM_INTERVAL_FACTOR = 100
"""Temporal caps retry intervals at 100 times the initial interval unless a maximum is given."""



class _StartToCloseTimeout(Exception):
    pass


def round_trip(value: Any) -> Any:
    """``value`` as it comes out of Temporal's payload converter (JSON: tuples become lists, dataclasses
    mappings); raises when it cannot be serialized."""
    converter = default_converter().payload_converter
    return converter.from_payloads(converter.to_payloads([value]))[0]


def _checked_call(name: str, fn: Callable[..., Any]) -> Callable[[list[Any], dict[str, Any]], Any]:
    """Call ``fn`` with arguments it accepts; a wrong argument list fails like the worker's registry does
    (``ArgumentError``, never retried)."""
    try:
        signature: inspect.Signature | None = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to check (a builtin): call it as is
        signature = None

    def call(args: list[Any], kwargs: dict[str, Any]) -> Any:
        if signature is not None:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as err:
                raise ApplicationError(f"{name}: {err}", type="ArgumentError", non_retryable=True) from None
        return fn(*args, **kwargs)

    return call


def _step_error(err: BaseException) -> tuple[StepFailed, bool]:
    """The step error an activity's exception becomes, and whether it is non-retryable in itself."""
    if isinstance(err, ApplicationError):
        details = carried_details(err.details)
        failed = StepFailed(err.type or "ApplicationError", err.message, details=details,
                            non_retryable=err.non_retryable)
        return failed, err.non_retryable
    if isinstance(err, _StartToCloseTimeout):
        return StepFailed("TimeoutError", "timed out (START_TO_CLOSE)",
                          details=timeout_details("START_TO_CLOSE")), False
    return StepFailed(type(err).__name__, str(err)), False


def _backoff(retry: RetrySpec, failed_attempts: int) -> float:
    delay = retry.initial_interval * retry.backoff_coefficient ** (failed_attempts - 1)
    cap = retry.maximum_interval
    if cap is None:
        cap = retry.initial_interval * DEFAULT_MAXIMUM_INTERVAL_FACTOR
    return float(min(delay, cap))


_WORLDS = itertools.count(1)


class World:
    """What every run of one offline execution shares: the loop, the activities and the call log."""

    def __init__(
        self,
        loop: VirtualLoop,
        activities: Activities,
        start_time: datetime,
        task_queue: str,
        continue_as_new_after: int | None,
    ) -> None:
        self.loop = loop
        self.activities = activities
        self.start_time = start_time
        self.task_queue = task_queue
        self.continue_as_new_after = continue_as_new_after
        self.calls: list[OfflineCall] = []
        self.tasks: list[asyncio.Task[Any]] = []
        self.child_count = 0
        self.closed = False
        self.trace: Trace | None = None
        """Set to record the steps runs go through (coverage)."""
        self.serial = next(_WORLDS)

    def lookup(self, name: str) -> Callable[[list[Any], dict[str, Any]], Any] | None:
        """The activity ``name`` as a call ``(args, kwargs) -> result``. A registry's functions are called
        through the wrapper its worker runs (which converts arguments to the parameters' type hints and
        rejects a wrong argument list); a mapping's callables are called as they are."""
        if isinstance(self.activities, Mapping):
            fn = self.activities.get(name)
            return None if fn is None else _checked_call(name, fn)
        fn = self.activities.function(name)
        if fn is None:
            return None
        wrappers = getattr(self.activities, "activities", None)
        wrapper = next(
            (
                w
                for w in (wrappers() if callable(wrappers) else [])
                if getattr(w, "__dsl_function__", None) is fn
            ),
            None,
        )
        if wrapper is None:
            return _checked_call(name, fn)
        return lambda args, kwargs: wrapper(*pack_arguments(args, kwargs))

    def names(self) -> list[str]:
        if isinstance(self.activities, Mapping):
            return sorted(self.activities)
        return self.activities.names()


class OfflineRuntime:
    """:class:`~tdsl.interpreter.runtime.Runtime` on a virtual clock with mocked activities (one per run)."""

    def __init__(self, world: World, workflow_id: str) -> None:
        self.world = world
        self.workflow_id = workflow_id
        self._random: pyrandom.Random | None = None
        self.run_number = 1
        self.events = 0
        """Activities, timers and children of the current run (for ``continue_as_new_after``)."""
        self.details = ""
        self.workflow_type = "offline"
        """The definition's name (the workflow type its runs have on a worker)."""
        self.activity_count = 0

    def now(self) -> datetime:
        return self.world.start_time + timedelta(seconds=self.world.loop.time())

    def info(self) -> dict[str, Any]:
        return {
            "id": self.workflow_id,
            "run_id": f"{self.workflow_id}/run-{self.run_number}",
            # Unique per offline execution, so two offline runs of one id never share idempotency keys.
            "first_run_id": f"offline-{self.world.serial}",
            "task_queue": self.world.task_queue,
            "attempt": 1,
        }

    async def execute_activity(self, call: ActivityCall) -> Any:
        world = self.world
        if world.closed:
            raise asyncio.CancelledError
        try:
            args, kwargs = split_arguments(round_trip(list(call.args)))
        except Exception as err:  # the worker could not receive these arguments either
            message = f"arguments of activity {call.name!r} cannot be serialized: {err}"
            raise DefinitionFailedAtRun(message) from None
        if world.trace is not None and call.summary and call.summary.endswith(".compensate"):
            compensated = step_path(call.summary.removesuffix(".compensate"))
            world.trace.of(self.workflow_type).compensated.add(compensated)
        retry = call.retry
        limit = retry.maximum_attempts or UNLIMITED_ATTEMPTS
        started = world.loop.time()
        self.activity_count += 1
        activity_id = str(self.activity_count)
        heartbeat_details: list[Any] = []
        attempt = 0
        while True:
            attempt += 1
            context = AttemptContext(
                AttemptSpec(
                    activity_type=call.name,
                    activity_id=activity_id,
                    attempt=attempt,
                    workflow_id=self.workflow_id,
                    workflow_run_id=self.info()["run_id"],
                    workflow_type=self.workflow_type,
                    task_queue=call.task_queue or world.task_queue,
                    scheduled_time=world.start_time + timedelta(seconds=started),
                    started_time=self.now(),
                    start_to_close=call.start_to_close,
                    schedule_to_close=call.schedule_to_close,
                    heartbeat_details=heartbeat_details,
                )
            )
            self.events += 1
            record = OfflineCall(
                name=call.name,
                args=copy.deepcopy(args),
                kwargs=copy.deepcopy(kwargs),
                attempt=attempt,
                at=world.loop.time(),
                workflow_id=self.workflow_id,
                summary=call.summary,
            )
            world.calls.append(record)
            try:
                result = round_trip(await self._attempt(call, args, kwargs, context))
            except CompletedWhileCancelled as done:
                record.outcome, record.result = "completed", done.result
                raise
            except asyncio.CancelledError:
                record.outcome = "cancelled"
                raise
            except Exception as err:
                error, non_retryable = _step_error(err)
                record.outcome, record.error = "failed", {"type": error.type, "message": error.message}
            else:
                record.outcome, record.result = "completed", result
                return result
            finally:
                record.heartbeats = [list(details) for details in context.heartbeats]
                # As on the server: the next attempt starts from the last details recorded.
                heartbeat_details = context.last_heartbeat or heartbeat_details
            if non_retryable or error.type in retry.non_retryable_errors:
                raise error
            if attempt >= limit:
                error.attempts = attempt  # as a worker knows it: the attempts ran out
                raise error
            delay = _backoff(retry, attempt)
            elapsed = world.loop.time() - started
            if call.schedule_to_close is not None and elapsed + delay >= call.schedule_to_close:
                raise StepFailed("TimeoutError", "timed out (SCHEDULE_TO_CLOSE)",
                                 details=timeout_details("SCHEDULE_TO_CLOSE"))
            await asyncio.sleep(delay)

    async def _attempt(
        self, call: ActivityCall, args: list[Any], kwargs: dict[str, Any], context: AttemptContext
    ) -> Any:
        """One attempt: the mock's result, or the exception it (or a worker in its place) raises. The mock
        runs in an activity context (``activity.info()``, ``activity.heartbeat()``), as on a worker."""
        invoke = self.world.lookup(call.name)
        if invoke is None:
            raise ApplicationError(
                f"Activity function {call.name} for workflow {self.workflow_id} is not registered on this "
                f"worker, available activities: {', '.join(self.world.names())}",
                type="NotFoundError",
            )
        # A copy per attempt, as each attempt receives freshly decoded arguments on a worker.
        with context.active(), activity_key(call.key):
            value = invoke(copy.deepcopy(args), copy.deepcopy(kwargs))
            if not inspect.isawaitable(value):
                return value
            # Created inside the context: the task copies it, so the mock's body sees it too.
            task = asyncio.ensure_future(value)
        waiting = asyncio.ensure_future(self._await_mock(call, task))
        try:
            # Shielded so that a cancelled step marks the attempt cancelled (activity.is_cancelled()) before
            # the mock's task is cancelled, as a worker delivers a cancellation.
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            if waiting.done():
                raise
            context.cancel()
            waiting.cancel()
            return await waiting  # the outcome the step sees, as without the shield

    async def _await_mock(self, call: ActivityCall, task: asyncio.Future[Any]) -> Any:

        async def bounded() -> Any:
            if call.start_to_close is None:
                return await task
            try:
                return await asyncio.wait_for(task, call.start_to_close)
            except TimeoutError:
                if task.cancelled():
                    raise _StartToCloseTimeout from None
                raise

        inner = asyncio.ensure_future(bounded())
        if not call.wait_for_cancellation:
            return await inner
        # As on Temporal with WAIT_CANCELLATION_COMPLETED: any failure of a mock asked to stop means it did.
        return await await_outcome(inner, inner.cancel, (Exception,))

    async def sleep(self, seconds: float, summary: str | None = None) -> None:
        self.events += 1
        await asyncio.sleep(seconds)

    async def wait_condition(
        self, predicate: Callable[[], bool], timeout: float | None = None, summary: str | None = None
    ) -> bool:
        if predicate():
            return True
        loop = self.world.loop
        future: asyncio.Future[bool] = loop.create_future()
        condition = Condition(predicate, future)
        loop.conditions.append(condition)
        timer = loop.call_later(timeout, resolve, future, False) if timeout is not None else None
        try:
            return await future
        finally:
            if timer is not None:
                timer.cancel()
            if condition in loop.conditions:
                loop.conditions.remove(condition)

    async def execute_child(self, call: ChildCall) -> Any:
        world = self.world
        if world.closed:
            raise asyncio.CancelledError
        self.events += 1
        world.child_count += 1
        workflow_id = call.workflow_id or f"{self.workflow_id}/{call.workflow_type}-{world.child_count}"
        try:
            run = OfflineRun(world, workflow_id, arrived(call.payload))
        except (DefinitionFailedAtRun, ValidationError) as err:
            raise StepFailed("DefinitionError", f"invalid workflow input: {err}") from None
        if run.core.setup_error is not None:
            raise StepFailed("DefinitionError", run.core.setup_error)
        task = world.loop.create_task(run.run())
        world.tasks.append(task)
        if not call.wait:
            return {"workflow_id": workflow_id, "run_id": f"{workflow_id}/run-1"}
        try:
            # Awaiting the task directly: cancelling this step cancels the child (so it compensates).
            return round_trip(await task)
        except RunFailedAfterCompensation as failed:
            details = {"error": failed.error.as_dict(), "compensations": failed.compensations}
            raise StepFailed(failed.error.type, str(failed), details=details) from None

    async def wait(self, tasks: Sequence[asyncio.Task[Any]], *, first_completed: bool) -> None:
        await asyncio.wait(
            tasks, return_when=asyncio.FIRST_COMPLETED if first_completed else asyncio.FIRST_EXCEPTION
        )

    def random(self) -> float:
        if self._random is None:  # seeded by the run's id: the same run draws the same numbers
            self._random = pyrandom.Random(self.workflow_id)
        return self._random.random()

    def set_details(self, text: str) -> None:
        self.details = text

    def patched(self, patch_id: str) -> bool:
        return True  # an offline run always starts with today's interpreter

    def continue_as_new_suggested(self) -> bool:
        after = self.world.continue_as_new_after
        return after is not None and self.events >= after

    async def continue_as_new(
        self,
        payload: Callable[[], RunPayload],
        memo: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None,
    ) -> RunPayload:
        # Offline handlers run to completion when delivered: there is no handler to wait for. The new run
        # starts in this process, with its input as it would arrive through the data converter.
        self.run_number += 1
        self.events = 0
        return arrived(payload())


def arrived(payload: RunPayload) -> RunPayload:
    """``payload`` as a run receives it: through the data converter (JSON, then decoded as typed)."""
    converter = default_converter().payload_converter
    try:
        decoded: RunPayload = converter.from_payload(converter.to_payload(payload.to_data()), RunPayload)
    except DefinitionFailedAtRun:
        raise
    except Exception as err:  # the worker could not receive it either
        raise DefinitionFailedAtRun(f"the workflow input does not decode as a run: {err}") from None
    return decoded


class OfflineRun:
    """One workflow (its continue-as-new runs included), hosted like
    :class:`~tdsl.interpreter.workflow.DSLWorkflow` hosts it: the core :class:`~tdsl.interpreter.run.Run`
    on an :class:`OfflineRuntime`."""

    def __init__(self, world: World, workflow_id: str, payload: RunPayload) -> None:
        self.runtime = OfflineRuntime(world, workflow_id)
        self.runtime.workflow_type = str(payload.definition.get("name", "offline"))
        self.core = Run(self.runtime, payload)
        if world.trace is not None:
            world.trace.instrument(self.core)

    @property
    def interp(self) -> Interpreter:
        """The interpreter of the current run."""
        return self.core.interp

    async def run(self) -> Any:
        return await self.core.execute()

    def signal(self, name: str, payload: Any) -> None:
        """Deliver a signal the way the workflow's signal handler does."""
        self.core.signal(name, lambda: round_trip(payload))

    def query(self, name: str, payload: Any = None) -> Any:
        """Answer a query the way the workflow's query handler does (raises
        :class:`HandlerFailedInWorkflow`)."""
        return round_trip(self.core.query(name, round_trip(payload)))

    def update(self, name: str, payload: Any = None) -> Any:
        """Validate, then run an update the way the workflow does (raises
        :class:`HandlerFailedInWorkflow`)."""
        payload = round_trip(payload)
        self.core.validate_update(name, payload)
        return round_trip(self.core.update(name, payload))


__all__ = [
    "HandlerFailedInWorkflow",
    "OfflineRun",
    "OfflineRuntime",
    "World",
    "arrived",
    "round_trip",
]
