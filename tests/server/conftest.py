"""An engine (worker on its own task queue, the fixture definitions plus the ``Echo`` code workflow) and the
HTTP app around it, in-process against the session dev server; one per test module."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tests.server.helpers import Echo, make_settings


@pytest.fixture(scope="module")
async def engine(client: Client) -> AsyncIterator[TemporalEngine]:
    engine = TemporalEngine(settings=make_settings(f"http-{uuid.uuid4().hex[:10]}"), client=client)
    engine.workers.register_workflow(Echo)
    await engine.start()
    yield engine
    await engine.stop()


@pytest.fixture(scope="module")
def app(engine: TemporalEngine) -> FastAPI:
    return create_app(engine)


@pytest.fixture(scope="module")
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        yield http
