"""``GET /health``: the usage guide's shape, answered without a token (load balancers probe it).

Without a token (when tokens are configured) it tells only what a probe needs: the status, whether Temporal
and the worker are up, and how many definitions loaded and failed. With one (or when no tokens are
configured) it also tells the address, queues, errors and which definition files failed; file paths are
always relative to the definitions folder, never the server's absolute paths.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ...engine import TemporalEngine
from ..deps import get_engine, has_access
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service and Temporal health")
async def health(
    engine: Annotated[TemporalEngine, Depends(get_engine)], access: Annotated[bool, Depends(has_access)]
) -> Health:
    """``healthy`` when the engine is started, Temporal answered a probe just now and the worker runs
    (when enabled); ``degraded`` otherwise. ``temporal`` holds the details (only counts without a token,
    when tokens are configured)."""
    temporal = await engine.check_health()
    definitions = temporal.get("definitions", {})
    invalid = [_relative(file, engine.settings.definitions) for file in definitions.get("invalid", [])]
    temporal["definitions"] = {**definitions, "invalid": invalid}
    return Health(
        status="healthy" if engine.is_ready else "degraded",
        temporal=temporal if access else _public(temporal),
        timestamp=datetime.now().astimezone().isoformat(),
    )


def _relative(file: str, folder: str) -> str:
    """``file`` relative to the definitions ``folder`` (its name alone when it is not under it)."""
    path, root = PurePath(file), PurePath(folder)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _public(temporal: dict[str, Any]) -> dict[str, Any]:
    server = temporal.get("server", {})
    worker = temporal.get("worker", {})
    definitions = temporal.get("definitions", {})
    return {
        "enabled": temporal.get("enabled"),
        "ready": temporal.get("ready"),
        "server": {"reachable": server.get("reachable"), "last_checked": server.get("last_checked")},
        "worker": {"state": worker.get("state")},
        "definitions": {
            "loaded": len(definitions.get("loaded", [])),
            "invalid": len(definitions.get("invalid", [])),
        },
    }
