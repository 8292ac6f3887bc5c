"""Cancellation semantics of the core, shared by every runtime.

* :func:`shielded`: compensation keeps running when the run is cancelled meanwhile; the cancellation stands
  once it finished.
* :func:`await_outcome`: the handshake of a compensable activity's step cancelled while the activity runs:
  ask the activity to stop, learn whether it did, and when it finished anyway report its result with
  :class:`~tdsl.interpreter.errors.CompletedWhileCancelled` so the step records its compensation.

Both use only ``asyncio.shield`` on tasks of the run's own loop, which a Temporal workflow replays
deterministically (no timers, no commands of their own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import CompletedWhileCancelled

__all__ = ["await_outcome", "shielded"]


async def shielded(work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` so that cancelling the caller does not interrupt it; re-raise the cancellation after."""
    task = asyncio.ensure_future(work())
    while True:
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():
                raise
            # The run was cancelled while this work runs: keep going, then let the cancel stand.


async def await_outcome(
    pending: asyncio.Future[Any],
    ask_to_stop: Callable[[], Any],
    stopped: tuple[type[BaseException], ...],
) -> Any:
    """Await ``pending`` (a running activity). Cancelled meanwhile, call ``ask_to_stop()`` and wait for the
    activity's answer: when it raised one of ``stopped`` (or was cancelled) the step is cancelled
    (``CancelledError``); when it finished, raise :class:`CompletedWhileCancelled` with its result."""
    try:
        return await asyncio.shield(pending)
    except asyncio.CancelledError:
        ask_to_stop()
        try:
            result = await pending
        except (*stopped, asyncio.CancelledError):  # type: ignore[misc]  # a tuple of exception classes
            raise asyncio.CancelledError from None
        raise CompletedWhileCancelled(result) from None
