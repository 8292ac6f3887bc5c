"""Refuse what a browser could be tricked into sending: a foreign ``Host``, a cross-site origin, non-JSON.

The service listens on a developer's machine (``tdsl dev``) where any web page the developer opens can send
requests to ``localhost``. Three checks, in this order, before any route runs (so routes added later are
covered too):

1. ``Host`` must name this service (``http.allowed_hosts``; by default the loopback names and the bind host):
   a DNS-rebinding page reaches the service under its own host name and is refused (400).
2. A state-changing request (any method but GET, HEAD, OPTIONS, and every WebSocket handshake) from a
   browser must come from this service's own origin or one of ``http.allowed_origins`` (403). Browsers
   send ``Origin`` on such requests (and ``Sec-Fetch-Site``); clients that are not browsers (curl, the
   CLI, SDKs) send neither and pass.
3. A state-changing request with a body, or with a ``Content-Type``, must say ``application/json`` (415).
   Forms and ``text/plain`` are the bodies a page can send cross-site without a CORS preflight.

See docs/SECURITY.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tdsl.errors import record_of

__all__ = ["LOOPBACK_HOSTS", "RequestGuard", "default_allowed_hosts"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON_MEDIA_TYPE = "application/json"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def default_allowed_hosts(bind_host: str | None) -> list[str]:
    """The loopback names, plus the host the service is bound to (unless it is the any-address, whose
    requests name hosts this service cannot know: configure ``http.allowed_hosts`` then)."""
    hosts = list(LOOPBACK_HOSTS)
    if bind_host is not None and bind_host.strip("[]") not in _ANY_ADDRESS:
        hosts.append(bind_host)
    return hosts


def _hostname(value: str) -> str:
    """``Localhost.`` -> ``localhost``, ``[::1]`` -> ``::1``: the form host names are compared in."""
    return value.strip().strip("[]").rstrip(".").lower()


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` of a ``Host`` header (IPv6 in brackets); ``None`` when it does not parse."""
    try:
        parts = urlsplit(f"//{value}")
        return _hostname(parts.hostname or ""), parts.port
    except ValueError:
        return None


class RequestGuard:
    """ASGI middleware applying the three checks of this module."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str], allowed_origins: Iterable[str]) -> None:
        self.app = app
        hosts = [_hostname(h) for h in allowed_hosts]
        self.any_host = "*" in hosts
        self.hosts = frozenset(hosts)
        origins = [o.strip().rstrip("/").lower() for o in allowed_origins]
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope.get("headers", ())}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, kind, message = refusal
            if scope["type"] == "websocket":
                await receive()  # the handshake; closing before accepting answers it with 403
                await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
                return
            response = JSONResponse({"error": record_of(kind, message)}, status_code=status)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        """``(status, type, message)`` of the first check the request fails, else ``None``."""
        host = headers.get("host", "")
        split = _split_host(host)
        if not self.any_host and (split is None or split[0] not in self.hosts):
            return 400, "HostNotAllowed", f"host {host!r} is not served here (see http.allowed_hosts)"
        # A WebSocket handshake is a GET, but what it opens can change state: its origin is checked too.
        websocket = scope["type"] == "websocket"
        if not websocket and scope.get("method", "GET") in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host):
            return (
                403,
                "Forbidden",
                f"cross-origin request from {origin!r} refused (see http.allowed_origins)",
            )
        if origin is None and headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
            return 403, "Forbidden", "cross-site request refused (see http.allowed_origins)"
        if websocket:
            return None
        content_type = headers.get("content-type")
        if content_type is not None:
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type != JSON_MEDIA_TYPE:
                return 415, "UnsupportedMediaType", f"the body must be {JSON_MEDIA_TYPE}, not {media_type!r}"
        elif _has_body(headers):
            return 415, "UnsupportedMediaType", f"the body must be sent as Content-Type: {JSON_MEDIA_TYPE}"
        return None

    def _origin_allowed(self, origin: str, host: str) -> bool:
        normalized = origin.strip().rstrip("/").lower()
        if self.any_origin or normalized in self.origins:
            return True
        if normalized == "null":  # sandboxed frames, file: pages, redirects across sites
            return False
        try:
            parts = urlsplit(normalized)
            origin_port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            return False
        own = _split_host(host)
        if own is None or not parts.hostname:
            return False
        own_port = own[1] or _DEFAULT_PORTS.get(parts.scheme)
        # Same host and port: the page was served by this service (or the proxy in front of it).
        return _hostname(parts.hostname) == own[0] and origin_port == own_port


def _has_body(headers: dict[str, str]) -> bool:
    if "transfer-encoding" in headers:
        return True
    try:
        return int(headers.get("content-length", "0") or "0") > 0
    except ValueError:
        return True
