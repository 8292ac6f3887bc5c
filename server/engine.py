"""``TemporalEngine``: YAML definitions, code-defined workflows and activities behind one object.

::

    engine = TemporalEngine()                 # config.yaml + environment

    @engine.activities.register
    async def send_email(to: str, subject: str, body: str) -> bool: ...

    await engine.start()                      # connect, load the catalog, start the worker
    result = await engine.workflows.execute("order_processing", args={...})
    await engine.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.worker import Worker

from activities.registry import ActivityRegistry, load_modules
from dsl_schema.catalog import Catalog

from .config import Settings, load_settings
from .connection import connect
from .errors import EngineNotReady
from .runs import RunService
from .worker import build_worker

log = logging.getLogger("temporal_dsl.engine")
W = TypeVar("W", bound=type)


def catalog_checker(registry: ActivityRegistry) -> Any:
    """The linter's semantic checks bound to ``registry`` (``None`` until the linter is available)."""
    try:
        from dsl_schema.lint import semantic_checker
    except ImportError:
        return None
    return semantic_checker(registry)


class WorkerRegistry:
    """Code-defined workflows (``@engine.workers.register_workflow``) run beside the YAML definitions."""

    def __init__(self) -> None:
        self._workflows: dict[str, type] = {}

    def register_workflow(self, cls: W) -> W:
        """Register a ``@workflow.defn`` class; returns it unchanged (usable as a decorator)."""
        from temporalio.workflow import _Definition

        definition = _Definition.from_class(cls)
        if definition is None:
            raise TypeError(f"{cls.__name__} is not a @workflow.defn class")
        if definition.name is None:
            raise TypeError("dynamic workflows cannot be registered beside the DSL workflow")
        self._workflows[definition.name] = cls
        return cls

    def workflows(self) -> dict[str, type]:
        return dict(self._workflows)


class TemporalEngine:
    """The embeddable engine; see the module docstring."""

    def __init__(self, config_file: str | Path | None = None, *, settings: Settings | None = None,
                 **overrides: Any) -> None:
        self.settings = settings or load_settings(config_file, overrides=overrides or None)
        self.activities = ActivityRegistry()
        self.workers = WorkerRegistry()
        self.client: Client | None = None
        self.catalog = Catalog()
        self.runs: RunService | None = None
        self._worker: Worker | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._ready = False

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_ready(self) -> bool:
        """Connected, catalog loaded, and the worker running when it is enabled."""
        worker_ok = self._worker_task is not None and not self._worker_task.done()
        return self._ready and (worker_ok or not self.settings.temporal.worker.enabled)

    def load_catalog(self) -> Catalog:
        """(Re)load the activity modules and the definitions folder."""
        load_modules(self.settings.activity_modules, into=self.activities)
        self.catalog = Catalog.load(self.settings.definitions, checker=catalog_checker(self.activities))
        for file, err in self.catalog.invalid.items():
            log.error("definition %s is invalid and will not be started:\n%s", file, err.render())
        return self.catalog

    async def start(self, client: Client | None = None) -> None:
        """Connect to Temporal, load the catalog and start the worker (when enabled)."""
        if self._ready:
            return
        temporal = self.settings.temporal
        self.load_catalog()
        self.client = client or await connect(temporal)
        self.runs = RunService(
            self.client, self.catalog, self.activities, temporal.task_queue, self.workers.workflows()
        )
        if temporal.worker.enabled:
            self._worker = build_worker(
                self.client, temporal.task_queue, self.activities, temporal.worker,
                list(self.workers.workflows().values()),
            )
            self._worker_task = asyncio.create_task(self._worker.run(), name="temporal-dsl-worker")
        self._ready = True

    async def stop(self) -> None:
        """Stop the worker gracefully (in-flight activities get the configured grace period)."""
        self._ready = False
        if self._worker is not None:
            with contextlib.suppress(Exception):
                await self._worker.shutdown()
        if self._worker_task is not None:
            with contextlib.suppress(BaseException):
                await self._worker_task
        self._worker = None
        self._worker_task = None

    async def __aenter__(self) -> TemporalEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def require_runs(self) -> RunService:
        if self.runs is None:
            raise EngineNotReady("the engine is not started; await engine.start() first")
        return self.runs

    async def wait_worker(self, until: Callable[[], bool] | None = None) -> None:
        """Wait until the worker task ends (``tdsl worker``/``tdsl dev`` run until interrupted)."""
        if self._worker_task is not None:
            await self._worker_task
