"""The request guard on its own (no engine): WebSocket handshakes from other origins, and the defaults."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from tdsl.server.http.guard import RequestGuard, default_allowed_hosts


async def accept(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})


async def handshake(headers: dict[str, str]) -> list[Message]:
    """The messages the guarded app sends in answer to a WebSocket handshake with ``headers``."""
    guard = RequestGuard(accept, allowed_hosts=default_allowed_hosts("127.0.0.1"), allowed_origins=[])
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "websocket",
        "path": "/ws",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    await guard(scope, receive, send)
    return sent


async def test_websocket_handshakes_from_other_origins_are_refused() -> None:
    own = await handshake({"host": "localhost:8000", "origin": "http://localhost:8000"})
    assert own == [{"type": "websocket.accept"}]
    assert await handshake({"host": "localhost:8000"}) == [{"type": "websocket.accept"}]
    evil = await handshake({"host": "localhost:8000", "origin": "http://evil.example"})
    assert [(m["type"], m["code"]) for m in evil] == [("websocket.close", 1008)]
    rebound = await handshake({"host": "evil.example", "origin": "http://evil.example"})
    assert [(m["type"], m["code"]) for m in rebound] == [("websocket.close", 1008)]


def test_default_hosts_are_loopback_plus_a_specific_bind_host() -> None:
    assert default_allowed_hosts("127.0.0.1") == ["localhost", "127.0.0.1", "::1", "127.0.0.1"]
    assert default_allowed_hosts("10.0.0.5") == ["localhost", "127.0.0.1", "::1", "10.0.0.5"]
    assert default_allowed_hosts("0.0.0.0") == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("::") == ["localhost", "127.0.0.1", "::1"]
