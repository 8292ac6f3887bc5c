"""A ``tdsl dev``-like stack for the inspector's browser tests: the HTTP app served by uvicorn on a free port,
with a worker for the project's ``definitions/`` on the session dev server, and one headless Debian Chromium
for the whole session (driven by Playwright, never a browser Playwright downloads)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright
from temporalio.client import Client

from tdsl.server.config import Settings
from tdsl.server.engine import TemporalEngine
from tdsl.server.http.serving import HTTPService
from tests.support import DEFINITIONS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "inspector-test-token"


def stack_settings(task_queue: str) -> Settings:
    return Settings.model_validate(
        {
            "temporal": {"task_queue": task_queue, "worker": {"graceful_shutdown_seconds": 0}},
            "definitions": str(DEFINITIONS),
            "activity_modules": ["tdsl.activities.examples"],
            "http": {"port": 0, "tokens": [TOKEN], "temporal_ui_url": "http://localhost:8233"},
        }
    )


class Stack:
    """The served app: ``url`` of the HTTP service and the engine behind it."""

    def __init__(self, url: str, engine: TemporalEngine) -> None:
        self.url = url
        self.engine = engine

    @property
    def ui(self) -> str:
        return f"{self.url}/ui"


@pytest.fixture(scope="session")
async def stack(client: Client) -> AsyncIterator[Stack]:
    engine = TemporalEngine(settings=stack_settings(f"ui-{uuid.uuid4().hex[:10]}"), client=client)
    await engine.start()
    service = HTTPService(engine, "127.0.0.1", 0)
    url = await service.start()
    try:
        yield Stack(url, engine)
    finally:
        await service.stop()
        await engine.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(browser: Browser, stack: Stack) -> AsyncIterator[Page]:
    """A fresh tab whose session already holds the API token (the token dialog has its own test)."""
    context = await browser.new_context()
    await context.add_init_script(f"sessionStorage.setItem('tdsl-token', {TOKEN!r});")
    page = await context.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    try:
        yield page
    finally:
        await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
