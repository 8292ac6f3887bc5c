"""An engine over the example definitions (worker on its own task queue) and the HTTP app around it,
in-process against the session dev server; one per test module."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tests.server.helpers import make_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
async def engine(client: Client) -> AsyncIterator[TemporalEngine]:
    settings = make_settings(f"graph-{uuid.uuid4().hex[:10]}", definitions=ROOT / "definitions")
    engine = TemporalEngine(settings=settings, client=client)
    await engine.start()
    yield engine
    await engine.stop()


@pytest.fixture(scope="module")
async def http(engine: TemporalEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        yield http
