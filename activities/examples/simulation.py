"""How example activities are told to misbehave, through an optional ``simulate`` argument.

``simulate`` is a mapping with any of:

* ``fail``: an error type name (or ``true`` for ``SimulatedFailure``): every attempt raises it;
* ``fail_times``: the first N attempts raise (``fail`` names the type), later attempts succeed;
* ``non_retryable``: raise a non-retryable error;
* ``delay``: seconds to take, heartbeating every half second so cancellation and heartbeat timeouts work.

:func:`apply` serves ``async def`` activities and :func:`apply_sync` the sync ones (which run in the worker's
thread pool, where a cancellation is raised into the thread between two heartbeats).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from tdsl.errors import ActivitiesError


class SimulatedFailure(ActivitiesError):
    """The default error raised by a simulated failure."""


HEARTBEAT_EVERY = 0.5
"""Seconds between heartbeats while a simulated (or example) activity takes its time."""


def _heartbeat(remaining: float) -> None:
    if activity.in_activity():
        activity.heartbeat({"remaining": remaining})


async def sleep(seconds: float) -> None:
    """Take ``seconds``, heartbeating, in an ``async def`` activity (cancellable at each heartbeat)."""
    while seconds > 0:
        step = min(seconds, HEARTBEAT_EVERY)
        await asyncio.sleep(step)
        seconds -= step
        _heartbeat(seconds)


def sleep_sync(seconds: float) -> None:
    """Take ``seconds``, heartbeating, in a sync activity (a cancellation is raised into its thread)."""
    while seconds > 0:
        step = min(seconds, HEARTBEAT_EVERY)
        time.sleep(step)
        seconds -= step
        _heartbeat(seconds)


def _maybe_fail(simulate: dict[str, Any], name: str) -> None:
    fail = simulate.get("fail")
    times = simulate.get("fail_times")
    attempt = activity.info().attempt if activity.in_activity() else 1
    should_fail = (bool(fail) and times is None) or (times is not None and attempt <= int(times))
    if not should_fail:
        return
    error_type = fail if isinstance(fail, str) else "SimulatedFailure"
    message = f"{name} failed (simulated {error_type}, attempt {attempt})"
    raise ApplicationError(message, type=error_type, non_retryable=bool(simulate.get("non_retryable")))


async def apply(simulate: dict[str, Any] | None, name: str) -> None:
    """Sleep and/or raise as ``simulate`` says; a no-op for ``None``."""
    if not simulate:
        return
    await sleep(float(simulate.get("delay", 0) or 0))
    _maybe_fail(simulate, name)


def apply_sync(simulate: dict[str, Any] | None, name: str) -> None:
    """:func:`apply` for sync activities."""
    if not simulate:
        return
    sleep_sync(float(simulate.get("delay", 0) or 0))
    _maybe_fail(simulate, name)
