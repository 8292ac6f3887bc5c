"""How example activities are told to misbehave, through an optional ``simulate`` argument.

``simulate`` is a mapping with any of:

* ``fail``: an error type name (or ``true`` for ``SimulatedFailure``): every attempt raises it;
* ``fail_times``: the first N attempts raise (``fail`` names the type), later attempts succeed;
* ``non_retryable``: raise a non-retryable error;
* ``delay``: seconds to take, heartbeating every half second so cancellation and heartbeat timeouts work.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError


class SimulatedFailure(Exception):
    """The default error raised by a simulated failure."""


async def apply(simulate: dict[str, Any] | None, name: str) -> None:
    """Sleep and/or raise as ``simulate`` says; a no-op for ``None``."""
    if not simulate:
        return
    delay = float(simulate.get("delay", 0) or 0)
    while delay > 0:
        step = min(delay, 0.5)
        await asyncio.sleep(step)
        delay -= step
        if activity.in_activity():
            activity.heartbeat({"remaining": delay})
    fail = simulate.get("fail")
    times = simulate.get("fail_times")
    attempt = activity.info().attempt if activity.in_activity() else 1
    should_fail = bool(fail) and times is None or (times is not None and attempt <= int(times))
    if not should_fail:
        return
    error_type = fail if isinstance(fail, str) else "SimulatedFailure"
    message = f"{name} failed (simulated {error_type}, attempt {attempt})"
    raise ApplicationError(message, type=error_type, non_retryable=bool(simulate.get("non_retryable")))
