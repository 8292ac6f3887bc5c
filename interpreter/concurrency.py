"""Deterministic structured concurrency for branches and foreach items.

Tasks are created and inspected in list order (never by iterating asyncio's result sets), so a replay issues
the same commands in the same order. Waiting goes through the runtime
(``workflow.wait`` on Temporal). A failing task cancels its siblings; cancelling the caller cancels all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


async def _cancel_all(tasks: Sequence[asyncio.Task[Any]]) -> None:
    for task in tasks:
        if not task.done():
            task.cancel()
    for task in tasks:
        with contextlib.suppress(Exception, asyncio.CancelledError):  # a cancelled sibling's outcome is moot
            await task


async def run_all(runtime: Runtime, coros: Sequence[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run every coroutine concurrently; results in input order. The first failure (in list order among
    those that failed together) cancels the others and is raised."""
    tasks = [asyncio.ensure_future(coro) for coro in coros]
    if not tasks:
        return []
    try:
        await runtime.wait(tasks, first_completed=False)
    except asyncio.CancelledError:
        await _cancel_all(tasks)
        raise
    failed = next((t for t in tasks if t.done() and not t.cancelled() and t.exception() is not None), None)
    if failed is not None:
        await _cancel_all(tasks)
        raise failed.exception()  # type: ignore[misc]
    return [task.result() for task in tasks]


async def run_first(runtime: Runtime, coros: Sequence[Coroutine[Any, Any, Any]]) -> tuple[int, Any]:
    """Run concurrently until the first finishes; cancel the rest. Returns ``(index, result)`` or raises the
    first finisher's error."""
    tasks = [asyncio.ensure_future(coro) for coro in coros]
    try:
        await runtime.wait(tasks, first_completed=True)
    except asyncio.CancelledError:
        await _cancel_all(tasks)
        raise
    index = next(i for i, t in enumerate(tasks) if t.done())
    winner = tasks[index]
    await _cancel_all([t for t in tasks if t is not winner])
    return index, winner.result()
