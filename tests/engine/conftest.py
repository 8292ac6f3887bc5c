"""The usage guide's app (``examples/seed_app.py``) and its engine, on the session server and a task queue of
its own, started once for the engine tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.client import Client

from examples import seed_app
from tdsl.server.engine import TemporalEngine


@pytest.fixture(scope="package")
async def seed_engine(client: Client) -> AsyncIterator[TemporalEngine]:
    engine = seed_app.temporal
    engine.settings.temporal.task_queue = f"seed-{uuid.uuid4().hex[:10]}"
    engine.settings.temporal.worker.graceful_shutdown_seconds = 0
    await engine.start(client)
    yield engine
    await engine.stop()


@pytest.fixture(scope="package")
async def seed_http(seed_engine: TemporalEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=seed_app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        yield http
