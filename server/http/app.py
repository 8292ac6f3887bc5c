"""The HTTP service: ``create_app()`` builds the FastAPI application around a :class:`TemporalEngine`.

::

    app = create_app()                    # engine from config.yaml + environment; started by the lifespan
    app = create_app(engine)              # an engine you built (started by the lifespan unless already)

OpenAPI docs are at ``/docs`` (and the schema at ``/openapi.json``, behind the bearer token when tokens are
configured). Every request passes :class:`~tdsl.server.http.guard.RequestGuard` first (Host, Origin and
JSON bodies; docs/SECURITY.md), then the body size limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from ..config import Settings
from ..engine import TemporalEngine
from ..ui import install_ui
from .docs import install_docs
from .errors import install_error_handlers
from .guard import RequestGuard, default_allowed_hosts
from .limits import BodySizeLimit
from .routers import definitions, health, runs, schedules, upgrades

__all__ = ["create_app"]

DESCRIPTION = """Start and steer runs of YAML workflow definitions (and code-defined workflows) on Temporal.

Errors are JSON: `{"error": {"type", "message", "step", "file", "line", "details"}}`; schema violations list
`details.errors: [{"path", "message", "validator"}]`.
When bearer tokens are configured, every endpoint but `/health` needs `Authorization: Bearer <token>`.
Request bodies must be `application/json`; browsers may send state-changing requests only from this
service's own origin (or `http.allowed_origins`)."""


def create_app(
    engine: TemporalEngine | None = None,
    *,
    settings: Settings | None = None,
    config_file: str | Path | None = None,
    bind_host: str | None = None,
) -> FastAPI:
    """The FastAPI app. Its lifespan starts the engine (unless it is already started) and stops what it
    started. ``bind_host`` is the interface it is served on when that is not ``http.host`` (without
    ``http.allowed_hosts``, requests must name a loopback host or that one)."""
    engine = engine or TemporalEngine(config_file, settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started_here = not engine.is_started
        if started_here:
            await engine.start()
        try:
            yield
        finally:
            if started_here:
                await engine.stop()

    app = FastAPI(
        title="Temporal DSL",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engine = engine
    install_error_handlers(app)
    http = engine.settings.http
    app.add_middleware(BodySizeLimit, max_bytes=http.max_body_bytes)
    # Added last, so it runs first: a request from a page of another site is refused before anything else.
    app.add_middleware(
        RequestGuard,
        allowed_hosts=http.allowed_hosts or default_allowed_hosts(bind_host or http.host),
        allowed_origins=http.allowed_origins,
    )
    install_docs(app)
    app.include_router(health.router)
    app.include_router(definitions.router)
    app.include_router(schedules.router)
    app.include_router(upgrades.router)
    app.include_router(runs.router)
    install_ui(app)  # the run inspector page at /ui (docs/UI.md)
    return app
