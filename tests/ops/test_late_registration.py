"""A code workflow registered after ``start()`` is refused with a clear error (the worker is built and would
never run it), and accepted again once the engine stopped."""

from __future__ import annotations

import pytest
from temporalio.client import Client

from tdsl.server.code_workflows import RegistrationClosed
from tdsl.server.engine import TemporalEngine
from tests.server.helpers import make_settings

from .workflows import Double


async def test_registering_after_start_is_refused(client: Client, task_queue: str) -> None:
    engine = TemporalEngine(settings=make_settings(task_queue), client=client)
    await engine.start()
    try:
        closed = "cannot register workflow Double after the engine started"
        with pytest.raises(RegistrationClosed, match=closed):
            engine.workers.register_workflow(Double)
        assert "Double" not in engine.health_check()["worker"]["code_workflows"]
    finally:
        await engine.stop()
    engine.workers.register_workflow(Double)
    await engine.start()
    try:
        assert await engine.workflows.execute("Double", args=4, timeout_seconds=30) == 8
    finally:
        await engine.stop()
