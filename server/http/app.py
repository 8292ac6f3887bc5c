"""The HTTP service: ``create_app()`` builds the FastAPI application around a :class:`TemporalEngine`.

::

    app = create_app()                    # engine from config.yaml + environment; started by the lifespan
    app = create_app(engine)              # an engine you built (started by the lifespan unless already)

OpenAPI docs are at ``/docs`` (and the schema at ``/openapi.json``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from ..config import Settings
from ..engine import TemporalEngine
from ..ui import install_ui
from .errors import install_error_handlers
from .limits import BodySizeLimit
from .routers import definitions, health, runs, schedules, upgrades

__all__ = ["create_app"]

DESCRIPTION = """Start and steer runs of YAML workflow definitions (and code-defined workflows) on Temporal.

Errors are JSON: `{"error": "<Name>", "message": "...", "errors": [{"path", "message", "validator"}]}`.
When bearer tokens are configured, every endpoint but `/health` needs `Authorization: Bearer <token>`."""


def create_app(
    engine: TemporalEngine | None = None,
    *,
    settings: Settings | None = None,
    config_file: str | Path | None = None,
) -> FastAPI:
    """The FastAPI app. Its lifespan starts the engine (unless it is already started) and stops what it
    started."""
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
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=engine.settings.http.max_body_bytes)
    app.include_router(health.router)
    app.include_router(definitions.router)
    app.include_router(schedules.router)
    app.include_router(upgrades.router)
    app.include_router(runs.router)
    install_ui(app)  # the run inspector page at /ui (docs/UI.md)
    return app
