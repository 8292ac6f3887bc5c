"""Refuse oversized request bodies (413) without reading them.

A declared ``Content-Length`` above the limit is answered at once, before the application runs. A body
without one (chunked) is counted as it arrives and refused as soon as it passes the limit, so no request can
make the service buffer more than the limit.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tdsl.errors import EngineError, record_of

__all__ = ["BodySizeLimit", "BodyTooLarge"]


class BodyTooLarge(EngineError, HTTPException):
    """The request body is larger than ``http.max_body_bytes``. An ``HTTPException`` too: FastAPI lets those
    through while it reads a body (any other error there becomes a 400)."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        message = _too_large(limit)
        HTTPException.__init__(self, status_code=413, detail=message)
        self.message = message
        self.args = (message,)

    @property
    def record_type(self) -> str:
        return "PayloadTooLarge"  # the name of its status, as every 413 answer says


def _too_large(limit: int) -> str:
    return f"request body larger than {limit} bytes"


class BodySizeLimit:
    """ASGI middleware enforcing ``max_bytes`` on HTTP request bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, self.max_bytes)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": record_of("PayloadTooLarge", _too_large(limit))}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
