"""``TemporalEngine.stop`` ends the worker whatever state it is in, and keeps its own cancellation."""

from __future__ import annotations

import asyncio

import pytest

from tdsl.server.engine import TemporalEngine
from tests.server.helpers import make_settings


async def test_stop_after_the_worker_failed_or_was_cancelled() -> None:
    """The worker's own failure was logged when it happened; stopping does not raise it again."""

    async def failing() -> None:
        raise RuntimeError("poller died")

    for ending in ("failed", "cancelled"):
        engine = TemporalEngine(settings=make_settings("unused"))
        task = asyncio.create_task(failing())
        if ending == "cancelled":
            task.cancel()  # as when the loop closes under it
        engine._worker_task = task
        await engine.stop()
        assert engine._worker_task is None and not engine.is_ready


async def test_a_cancelled_stop_stays_cancelled() -> None:
    engine = TemporalEngine(settings=make_settings("unused"))
    never = asyncio.Event()

    async def worker() -> None:
        await never.wait()

    engine._worker_task = asyncio.create_task(worker())
    stopping = asyncio.create_task(engine.stop())
    await asyncio.sleep(0)  # one turn of the loop: stop() is now waiting for the worker task
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping
