"""What the server and engine tests share: settings for an engine on the session server, a code-defined
workflow, polling for a run's inner state, and an in-process HTTP client."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow

from tdsl.server.config import Settings
from tdsl.server.runs import RunService
from tests.support import eventually

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFINITIONS = FIXTURES / "definitions"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_settings(task_queue: str, *, definitions: Path | str = DEFINITIONS, **http: Any) -> Settings:
    """Settings for an engine on the session server (the client is passed in) and ``task_queue``."""
    return Settings.model_validate(
        {
            "temporal": {"task_queue": task_queue, "worker": {"graceful_shutdown_seconds": 0}},
            "definitions": str(definitions),
            "activity_modules": ["tdsl.activities.examples"],
            "http": http,
        }
    )



async def waiting_for_signal(runs: RunService, workflow_id: str) -> dict[str, Any]:
    """Until the run's progress shows it waiting (its variables exist from then on)."""

    async def check() -> dict[str, Any] | None:
        progress = await runs.progress(workflow_id)
        return progress if progress and progress.get("pending_waits") else None

    return await eventually(check, what=f"{workflow_id} to wait")


@workflow.defn
class Echo:
    """Echo a value once poked (a code-defined workflow beside the YAML definitions)."""

    def __init__(self) -> None:
        self._pokes: list[str] = []

    @workflow.run
    async def run(self, value: dict[str, Any], pokes_needed: int = 1) -> dict[str, Any]:
        await workflow.wait_condition(lambda: len(self._pokes) >= pokes_needed, timeout=timedelta(minutes=5))
        return {"value": value, "pokes": self._pokes}

    @workflow.signal
    def poke(self, who: str) -> None:
        self._pokes.append(who)

    @workflow.query
    def pokes(self) -> list[str]:
        return list(self._pokes)
