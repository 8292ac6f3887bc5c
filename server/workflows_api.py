"""``engine.workflows``: the seed's convenience API over :class:`~tdsl.server.runs.RunService`.

``name`` is a YAML definition or a registered code workflow. ``args`` is the run input: for a YAML definition
the value its ``input`` schema describes; for a code workflow the argument of its ``run`` method (a list, or a
mapping by parameter name, when ``run`` takes several).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .run_types import RunInfo, RunOutcome, StartedRun
from .runs import RunService

__all__ = ["RunHandle", "WorkflowsAPI"]


class RunHandle:
    """A started run (``.id`` is its workflow id). ``existing`` is true when an idempotent start found the run
    already there instead of starting a second one."""

    def __init__(self, runs: RunService, started: StartedRun) -> None:
        self._runs = runs
        self.id = started.workflow_id
        self.run_id = started.run_id
        self.definition = started.definition
        self.existing = started.existing

    def __repr__(self) -> str:
        return f"RunHandle(id={self.id!r}, definition={self.definition!r}, existing={self.existing})"

    async def result(self, timeout_seconds: float | None = None) -> Any:
        """Wait for the result (builtin ``TimeoutError`` when not done in time)."""
        return await self._runs.result(self.id, timeout=timeout_seconds)

    async def status(self, *, progress: bool = False) -> RunInfo:
        return await self._runs.info(self.id, progress=progress)

    async def signal(self, name: str, *args: Any) -> None:
        await self._runs.signal(self.id, name, *args)

    async def query(self, name: str, *args: Any) -> Any:
        return await self._runs.query(self.id, name, *args)

    async def update(self, name: str, *args: Any) -> Any:
        return await self._runs.update(self.id, name, *args)

    async def cancel(self) -> None:
        await self._runs.cancel(self.id)

    async def terminate(self, reason: str | None = None) -> None:
        await self._runs.terminate(self.id, reason)


class WorkflowsAPI:
    """Start, inspect and steer runs; every call goes through the engine's :class:`RunService`."""

    def __init__(self, runs: Callable[[], RunService]) -> None:
        self._runs = runs

    async def start(
        self,
        name: str,
        args: Any = None,
        *,
        workflow_id: str | None = None,
        delay_seconds: float | None = None,
        task_queue: str | None = None,
    ) -> RunHandle:
        """Start a run without waiting; returns its handle."""
        runs = self._runs()
        started = await runs.start(
            name, args, workflow_id=workflow_id, start_delay=delay_seconds, task_queue=task_queue
        )
        return RunHandle(runs, started)

    async def execute(
        self,
        name: str,
        args: Any = None,
        *,
        workflow_id: str | None = None,
        timeout_seconds: float | None = None,
        task_queue: str | None = None,
    ) -> Any:
        """Start a run and return its result. ``timeout_seconds`` bounds the wait (builtin ``TimeoutError``;
        the run itself goes on). A failed run raises :class:`~tdsl.server.errors.RunDidNotComplete`."""
        handle = await self.start(name, args, workflow_id=workflow_id, task_queue=task_queue)
        return await handle.result(timeout_seconds)

    async def schedule(
        self,
        name: str,
        args: Any = None,
        *,
        delay_seconds: float,
        workflow_id: str | None = None,
        task_queue: str | None = None,
    ) -> RunHandle:
        """Start a run whose first step waits ``delay_seconds`` (a Temporal start delay: durable, visible
        as a pending run, cancellable)."""
        return await self.start(
            name, args, workflow_id=workflow_id, delay_seconds=delay_seconds, task_queue=task_queue
        )

    async def get_status(self, workflow_id: str, *, progress: bool = False) -> RunInfo:
        """``.status.value`` (``RUNNING``, ``COMPLETED``, ...), ``.workflow_type`` (the definition name),
        ``.start_time``, ``.close_time``, and for YAML runs ``.version`` and ``.sha256``."""
        return await self._runs().info(workflow_id, progress=progress)

    async def get_result(self, workflow_id: str, *, timeout_seconds: float | None = None) -> Any:
        """The run's result; builtin ``TimeoutError`` when it is not done within ``timeout_seconds``."""
        return await self._runs().result(workflow_id, timeout=timeout_seconds)

    async def get_outcome(self, workflow_id: str, *, timeout_seconds: float | None = None) -> RunOutcome:
        """Status plus result or error, never raising for a failed run (RUNNING when not done in time)."""
        return await self._runs().outcome(workflow_id, timeout=timeout_seconds)

    async def cancel(self, workflow_id: str) -> None:
        """Request cancellation; YAML runs compensate what they did, then end CANCELED."""
        await self._runs().cancel(workflow_id)

    async def terminate(self, workflow_id: str, reason: str | None = None) -> None:
        """End the run immediately (no compensation)."""
        await self._runs().terminate(workflow_id, reason)

    async def signal(self, workflow_id: str, name: str, *args: Any) -> None:
        await self._runs().signal(workflow_id, name, *args)

    async def query(self, workflow_id: str, name: str, *args: Any) -> Any:
        return await self._runs().query(workflow_id, name, *args)

    async def update(self, workflow_id: str, name: str, *args: Any) -> Any:
        return await self._runs().update(workflow_id, name, *args)

    async def list(
        self, definition: str | None = None, *, limit: int = 20, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Recent runs, newest first."""
        return await self._runs().list_runs(definition, limit=limit, status=status)
