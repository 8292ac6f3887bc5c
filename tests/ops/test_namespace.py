"""A namespace that does not exist is reported by name when connecting, not later as a missing run."""

from __future__ import annotations

import pytest
from temporalio.client import Client

from tdsl.server.config import TemporalSettings
from tdsl.server.connection import connect
from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import EngineNotReady
from tests.server.helpers import make_settings


async def test_connect_names_a_missing_namespace(temporal_address: str) -> None:
    with pytest.raises(EngineNotReady) as missing:
        await connect(TemporalSettings(url=temporal_address, namespace="no-such-namespace"))
    assert str(missing.value) == f"namespace 'no-such-namespace' not found at {temporal_address}"


async def test_the_engine_refuses_to_start_in_a_missing_namespace(temporal_address: str) -> None:
    settings = make_settings("unused")
    settings.temporal.url = temporal_address
    settings.temporal.namespace = "no-such-namespace"
    engine = TemporalEngine(settings=settings)
    with pytest.raises(EngineNotReady, match="namespace 'no-such-namespace' not found"):
        await engine.start()
    assert not engine.is_started


async def test_a_client_handed_in_is_checked_too(client: Client) -> None:
    elsewhere = Client(client.service_client, namespace="no-such-namespace")
    engine = TemporalEngine(settings=make_settings("unused"), client=elsewhere)
    with pytest.raises(EngineNotReady, match="namespace 'no-such-namespace' not found"):
        await engine.start()


async def test_listing_in_a_missing_namespace_names_it(client: Client) -> None:
    from tdsl.server.gateway.inspecting import RunInspector

    elsewhere = Client(client.service_client, namespace="no-such-namespace")
    with pytest.raises(EngineNotReady, match="namespace 'no-such-namespace' not found"):
        await RunInspector(elsewhere).list_runs()
