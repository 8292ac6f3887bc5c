"""The local HTTP service the ``http`` step's tests call."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from .service import RunningService, Service


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with RunningService(token=f"tok-{secrets.token_hex(8)}") as running:
        yield running
