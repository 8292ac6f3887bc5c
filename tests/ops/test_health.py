"""Health says how things are now: when the Temporal server goes away, ``health_check()`` (a plain call) and
``is_ready`` turn within a couple of seconds, with a fresh ``last_checked``."""

from __future__ import annotations

from datetime import UTC, datetime

from tdsl.server.config import TemporalSettings
from tdsl.server.connection import connect
from tdsl.server.devserver import DevServer
from tdsl.server.engine import TemporalEngine
from tests.server.helpers import make_settings
from tests.support import eventually


async def test_health_follows_the_server_going_away() -> None:
    server = DevServer().start()
    try:
        client = await connect(TemporalSettings(url=server.address, connect_timeout_seconds=30))
        engine = TemporalEngine(settings=make_settings("health"), client=client)
        await engine.start()
        try:
            assert engine.is_ready
            assert engine.health_check()["server"]["reachable"] is True
            server.stop()

            async def degraded() -> dict[str, object] | None:
                health = engine.health_check()
                return health if health["server"]["reachable"] is False else None

            health = await eventually(degraded, timeout=15, what="the health check to see the server gone")
            assert not engine.is_ready
            assert health["ready"] is False
            assert health["server"]["error"]
            checked = datetime.fromisoformat(health["server"]["last_checked"])
            assert (datetime.now(UTC) - checked).total_seconds() < 5
            probed = await engine.check_health(timeout=0.5)
            assert probed["server"]["reachable"] is False
        finally:
            await engine.stop()
    finally:
        server.stop()
