"""A small real HTTP service for the ``http`` step's tests, served by uvicorn on a free local port.

Its answers are data the tests compare: ``/echo`` returns the request as it arrived, ``/flaky/{key}`` and
``/throttled/{key}`` fail the first time a key is used (503; 429 with ``Retry-After: 1``) and succeed after,
``/secure`` accepts only the bearer token it was given, ``/orders/...`` is the order service of
``definitions/http_order_lookup.yaml`` (:data:`ORDERS`, behind the token), and every request is recorded in
:attr:`Service.requests`.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ORDERS = {
    "A-1": {"status": "shipped", "email": "ann@example.com"},
    "A-2": {"status": "packed", "email": "bob@example.com"},
}
"""The orders the order service knows; any other id is 404."""


@dataclass
class Recorded:
    """One request as the service received it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Service:
    """The running service: its base URL and the requests it received."""

    base_url: str
    token: str
    requests: list[Recorded] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    order_events: list[tuple[str, Any]] = field(default_factory=list)
    """``(order id, event)`` of every event posted to the order service."""

    def paths(self, prefix: str) -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]


def build_app(service: Service) -> Starlette:
    async def record(request: Request) -> None:
        service.requests.append(Recorded(request.method, request.url.path, dict(request.headers)))

    async def echo(request: Request) -> Response:
        await record(request)
        raw = await request.body()
        answer: dict[str, Any] = {
            "method": request.method,
            "query": {key: request.query_params.getlist(key) for key in request.query_params},
            "headers": {key: value for key, value in request.headers.items() if key.startswith("x-")},
            "content_type": request.headers.get("content-type"),
            "body": raw.decode(),
        }
        return JSONResponse(answer)

    async def text(request: Request) -> Response:
        await record(request)
        return PlainTextResponse("plain hello")

    async def status(request: Request) -> Response:
        await record(request)
        code = int(request.path_params["code"])
        return PlainTextResponse(f"status {code}: " + "x" * 5000, status_code=code)

    async def flaky(request: Request) -> Response:
        await record(request)
        key = request.path_params["key"]
        service.hits[key] += 1
        if service.hits[key] == 1:
            return PlainTextResponse("try again", status_code=503)
        return JSONResponse({"hits": service.hits[key]})

    async def throttled(request: Request) -> Response:
        await record(request)
        key = request.path_params["key"]
        service.hits[key] += 1
        if service.hits[key] == 1:
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "1"})
        return JSONResponse({"hits": service.hits[key]})

    async def secure(request: Request) -> Response:
        await record(request)
        if not authorized(request):
            return PlainTextResponse("who are you", status_code=401)
        return JSONResponse({"authorized": True})

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {service.token}"

    async def order(request: Request) -> Response:
        await record(request)
        found = ORDERS.get(request.path_params["order_id"])
        if not authorized(request):
            return PlainTextResponse("who are you", status_code=401)
        if found is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        return JSONResponse({"id": request.path_params["order_id"], **found})

    async def order_event(request: Request) -> Response:
        await record(request)
        if not authorized(request):
            return PlainTextResponse("who are you", status_code=401)
        service.order_events.append((request.path_params["order_id"], await request.json()))
        return Response(status_code=201)

    async def odd(request: Request) -> Response:
        await record(request)
        kind = request.path_params["kind"]
        if kind == "problem":  # a JSON media type of its own
            return Response('{"title": "gone"}', status_code=410, media_type="application/problem+json")
        if kind == "not-json":  # says JSON, is not
            return Response("{oops", media_type="application/json")
        if kind == "big":  # more than a step takes
            return PlainTextResponse("x" * (1024 * 1024 + 1))
        if kind == "empty":
            return Response(status_code=204)
        if kind == "redirect":
            return RedirectResponse("/text", status_code=302)
        return Response(status_code=404)

    return Starlette(routes=[
        Route("/odd/{kind}", odd),
        Route("/orders/{order_id}", order),
        Route("/orders/{order_id}/events", order_event, methods=["POST"]),
        Route("/echo", echo, methods=METHODS),
        Route("/text", text),
        Route("/status/{code:int}", status, methods=METHODS),
        Route("/flaky/{key}", flaky),
        Route("/throttled/{key}", throttled),
        Route("/secure", secure),
    ])


class RunningService:
    """Serve a :class:`Service` in a thread of its own; the socket listens before the server starts, so
    requests made at once wait in its backlog instead of being refused."""

    def __init__(self, token: str) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        port = self.socket.getsockname()[1]
        self.service = Service(f"http://127.0.0.1:{port}", token)
        config = uvicorn.Config(build_app(self.service), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Service:
        self.thread.start()
        return self.service

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
