"""``GET /health``: the usage guide's shape, answered without a token (load balancers probe it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from ...engine import TemporalEngine
from ..deps import get_engine
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service and Temporal health")
async def health(engine: Annotated[TemporalEngine, Depends(get_engine)]) -> Health:
    """``healthy`` when the engine is started, Temporal answered a probe just now and the worker runs
    (when enabled); ``degraded`` otherwise. ``temporal`` holds the details."""
    temporal = await engine.check_health()
    return Health(
        status="healthy" if engine.is_ready else "degraded",
        temporal=temporal,
        timestamp=datetime.now().astimezone().isoformat(),
    )
