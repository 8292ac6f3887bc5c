"""``TemporalEngine``: YAML definitions, code-defined workflows and activities behind one object.

::

    engine = TemporalEngine()                 # config.yaml + environment

    @engine.activities.register
    async def send_email(to: str, subject: str, body: str) -> bool: ...

    @engine.workers.register_workflow
    @workflow.defn
    class OrderProcessingWorkflow: ...        # may call send_email by reference

    await engine.start()                      # connect, load the catalog, start the worker
    result = await engine.workflows.execute("order_processing", args={...})
    await engine.stop()

Activities registered on the engine take precedence over same-named ones from the configured activity
modules. Code-defined workflows run in the same worker as the generic DSL workflow; their modules are passed
through the workflow sandbox (the module is not re-imported per run, so keep module-level state out of
workflow code as Temporal requires anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from tdsl.activities.modules import load_modules, module_activities, registration_machinery
from tdsl.activities.registry import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog
from tdsl.interpreter import PASSTHROUGH_MODULES

from .code_workflows import WorkerRegistry
from .config import Settings, load_settings
from .connection import check_namespace, connect
from .errors import EngineNotReady
from .runs import RunService
from .worker import build_worker
from .workflows_api import RunHandle, WorkflowsAPI

if TYPE_CHECKING:
    from .schedules import ScheduleService
    from .upgrade import RunUpgrade

__all__ = ["EngineActivities", "RunHandle", "TemporalEngine", "WorkerRegistry", "WorkflowsAPI"]

log = logging.getLogger("temporal_dsl.engine")
F = TypeVar("F", bound=Callable[..., Any])

# Flat keyword arguments of TemporalEngine(...) and where they go in the settings tree.
_FLAT_OVERRIDES: dict[str, tuple[str, ...]] = {
    "url": ("temporal", "url"),
    "address": ("temporal", "url"),
    "namespace": ("temporal", "namespace"),
    "task_queue": ("temporal", "task_queue"),
    "api_key": ("temporal", "api_key"),
    "definitions": ("definitions",),
    "activity_modules": ("activity_modules",),
}
# Health: the server is probed in the background this often (each probe bounded by HEALTH_TIMEOUT), so
# ``health_check()``/``is_ready`` say how things are now, not at start; ``check_health()`` reuses a probe
# younger than HEALTH_INTERVAL.
HEALTH_INTERVAL = 1.0
HEALTH_TIMEOUT = 1.0
_MAIN_ALIAS = "__temporal_main__"  # the name the sandbox gives a workflow module that is __main__


def _usable_by_reference(fn: Callable[..., Any], name: str) -> None:
    """Let code-defined workflows call ``workflow.execute_activity(fn, ...)`` with the plain function: give
    it the activity definition Temporal looks up (the worker runs the registry's wrapper under ``name``)."""
    if getattr(fn, "__temporal_activity_definition", None) is not None:
        return
    # ``activity.defn`` marks the function in place (and returns it); a callable it refuses (keyword-only
    # parameters, a builtin) simply stays usable by name only.
    with contextlib.suppress(AttributeError, TypeError, ValueError):
        activity.defn(name=name)(fn)


registration_machinery(__name__)


def _unreachable(err: BaseException) -> str:
    """Why a health probe failed, in one line."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, TimeoutError) or "deadline" in text.lower() or "timed out" in text.lower():
        return "the server did not answer in time"
    return f"{type(err).__name__}: {text}"[:300]


class EngineActivities(ActivityRegistry):
    """The engine's activities: ``@engine.activities.register`` (sync or async, optional ``name=``).

    Each registration is also recorded for the module that makes it (see :mod:`tdsl.activities.modules`),
    so naming that module as an activity module (``tdsl lint --activity-module app``, ``tdsl worker
    --activity-module app``) gives the same activities to the linter and other workers."""

    @overload
    def register(self, fn: F, *, name: str | None = None) -> F: ...

    @overload
    def register(self, fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...

    def register(self, fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
        """Register ``fn`` (returned unchanged, still callable directly and usable by reference from code
        workflows)."""

        def apply(func: F) -> F:
            self.add(func, name=name)
            module_activities.register(func, name=name, replace=True)
            return func

        return apply(fn) if fn is not None else apply

    def add(self, func: Callable[..., Any], *, name: str | None = None) -> None:
        """Register ``func`` on this engine only (activities of the configured modules)."""
        ActivityRegistry.register(self, func, name=name)
        _usable_by_reference(func, name or func.__name__)


def _overrides_tree(overrides: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in overrides.items():
        path = _FLAT_OVERRIDES.get(key, (key,))
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


class TemporalEngine:
    """The embeddable engine; see the module docstring.

    ``TemporalEngine()`` reads ``config.yaml`` (or ``$TDSL_CONFIG``) and the environment. Keyword arguments
    override them: ``url``/``address``, ``namespace``, ``task_queue``, ``api_key``, ``definitions``,
    ``activity_modules``, or whole sections (``temporal={...}``, ``http={...}``). ``client`` reuses an
    existing Temporal client instead of connecting.
    """

    def __init__(
        self,
        config_file: str | Path | None = None,
        *,
        settings: Settings | None = None,
        client: Client | None = None,
        **overrides: Any,
    ) -> None:
        if settings is None:
            settings = load_settings(config_file, overrides=_overrides_tree(overrides) or None)
        self.settings = settings
        self.activities = EngineActivities()
        self.workers = WorkerRegistry()
        self.workflows = WorkflowsAPI(self.require_runs)
        self.client: Client | None = client
        self.catalog = Catalog()
        self.runs: RunService | None = None
        self._worker: Worker | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._worker_error: str | None = None
        self._ready = False
        self._monitor: asyncio.Task[None] | None = None
        self._reachable: bool | None = None
        self._last_check: datetime | None = None
        self._last_error: str | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def is_started(self) -> bool:
        """:meth:`start` completed and :meth:`stop` has not been called since."""
        return self._ready

    @property
    def is_ready(self) -> bool:
        """Started, Temporal reachable at the last check, and the worker running when it is enabled."""
        return (
            self._ready and self._reachable is not False and self._worker_state() in ("running", "disabled")
        )

    def load_catalog(self) -> Catalog:
        """(Re)load the activity modules and compile the definitions folder against the activities."""
        modules = load_modules(self.settings.activity_modules)
        for name in modules.names():
            # Activities registered on the engine itself win over same-named module activities.
            function = modules.function(name)
            if name not in self.activities and function is not None:
                self.activities.add(function, name=name)
        self.catalog = Catalog.load(self.settings.definitions, self.activities)
        for file, err in self.catalog.invalid.items():
            log.error("definition %s is invalid and will not be started:\n%s", file, err.render())
        return self.catalog

    def workflow_runner(self) -> SandboxedWorkflowRunner:
        """The sandbox runner: the interpreter's passthrough modules plus the code workflows' modules."""
        modules = self.workers.modules()
        if "__main__" in modules:
            # Workflows defined in the main script: the sandbox imports it as __temporal_main__; passing that
            # name through hands it the already imported script instead of re-running it.
            sys.modules.setdefault(_MAIN_ALIAS, sys.modules["__main__"])
            modules = [_MAIN_ALIAS if m == "__main__" else m for m in modules]
        return SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES, *modules)
        )

    async def start(self, client: Client | None = None) -> None:
        """Connect to Temporal, load the catalog and start the worker (when enabled)."""
        if self._ready:
            return
        temporal = self.settings.temporal
        self.load_catalog()
        if not temporal.enabled:
            log.warning("Temporal is disabled in the configuration (temporal.enabled: false)")
            return
        given = client or self.client
        # connect() checks the namespace; a client handed in is checked here, so a wrong namespace is
        # reported now rather than as a missing run (or a worker dying) later.
        self.client = given or await connect(temporal)
        if given is not None:
            await check_namespace(given)
        self._note_reachable(True)
        self.runs = RunService(
            self.client, self.catalog, self.activities, temporal.task_queue, self.workers.described()
        )
        # The worker and the run service have their workflows now: a later registration would be listed
        # but never run, so it is refused.
        self.workers.close()
        if temporal.worker.enabled:
            self._worker = build_worker(
                self.client,
                temporal.task_queue,
                self.activities,
                temporal.worker,
                list(self.workers.workflows().values()),
                workflow_runner=self.workflow_runner(),
            )
            self._worker_error = None
            self._worker_task = asyncio.create_task(
                self._run_worker(self._worker), name="temporal-dsl-worker"
            )
        self._monitor = asyncio.create_task(self._watch_health(), name="temporal-dsl-health")
        self._ready = True
        if self.settings.schedules.apply_on_start:
            await self._apply_schedules()

    async def _apply_schedules(self) -> None:
        """``schedules.apply_on_start``: a schedule that cannot be applied is logged; the engine runs on."""
        try:
            plan = await self.schedules.apply(prune=self.settings.schedules.prune_on_start)
        except Exception as err:
            log.error("the declared schedules were not applied: %s: %s", type(err).__name__, err)
            return
        log.info("schedules applied:\n%s", plan.render())

    @property
    def schedules(self) -> ScheduleService:
        """Declared schedules and the Temporal Schedules tdsl owns on this task queue (docs/SCHEDULES.md);
        :class:`EngineNotReady` before :meth:`start`."""
        from .schedules import ScheduleService

        return ScheduleService(self.require_runs())

    async def _watch_health(self) -> None:
        """Probe the server every :data:`HEALTH_INTERVAL` while started (a health check RPC, cheap)."""
        while True:
            await asyncio.sleep(HEALTH_INTERVAL)
            await self._probe(HEALTH_TIMEOUT)

    async def _run_worker(self, worker: Worker) -> None:
        try:
            await worker.run()
        except Exception as err:
            self._worker_error = f"{type(err).__name__}: {err}"
            log.error("the worker stopped: %s", self._worker_error)
            raise

    async def stop(self) -> None:
        """Stop the worker gracefully (in-flight activities get the configured grace period)."""
        self._ready = False
        self.runs = None
        self.workers.reopen()
        if self._monitor is not None:
            self._monitor.cancel()
            await asyncio.gather(self._monitor, return_exceptions=True)
            self._monitor = None
        if self._worker is not None:
            try:
                await self._worker.shutdown()
            except Exception as err:  # a worker that already failed: _run_worker logged why
                log.debug("the worker's shutdown failed: %s: %s", type(err).__name__, err)
        if self._worker_task is not None:
            try:
                await self._worker_task
            except asyncio.CancelledError:
                # The worker task was cancelled (the loop is closing); a cancellation of stop() itself
                # must go on.
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
            except Exception as err:  # the worker's own failure, already logged by _run_worker
                log.debug("the worker ended with %s: %s", type(err).__name__, err)
        self._worker = None
        self._worker_task = None

    async def __aenter__(self) -> TemporalEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def require_runs(self) -> RunService:
        """The run service; :class:`EngineNotReady` before :meth:`start` (or when Temporal is disabled)."""
        if self.runs is None:
            if not self.settings.temporal.enabled:
                raise EngineNotReady("Temporal is disabled in the configuration (temporal.enabled: false)")
            raise EngineNotReady("the engine is not started; await engine.start() first")
        return self.runs

    async def upgrade(
        self, name: str, *, dry_run: bool = False, query: str | None = None, run_id: str | None = None
    ) -> list[RunUpgrade]:
        """Offer the catalog's current definition ``name`` to its open runs (all of them, those the visibility
        ``query`` selects, or the run ``run_id``), checked statically and by replay; the runs themselves
        validate the offer. One report per run; see docs/UPGRADE.md."""
        return await self.require_runs().upgrade(name, dry_run=dry_run, query=query, run_id=run_id)

    async def wait_worker(self) -> None:
        """Wait until the worker task ends (``tdsl worker``/``tdsl dev`` run until interrupted). Cancelling
        the wait does not cancel the worker."""
        if self._worker_task is not None:
            await asyncio.shield(self._worker_task)

    # ------------------------------------------------------------------ health
    def _worker_state(self) -> str:
        if not self.settings.temporal.worker.enabled:
            return "disabled"
        task = self._worker_task
        if task is None:
            return "stopped"
        if not task.done():
            return "running"
        return "failed" if self._worker_error else "stopped"

    def _address(self) -> str:
        """Where the client connects (a client handed in may point elsewhere than the settings)."""
        if self.client is not None:
            with contextlib.suppress(AttributeError):
                return str(self.client.service_client.config.target_host)
        return self.settings.temporal.url

    def _note_reachable(self, reachable: bool, error: str | None = None) -> None:
        self._reachable = reachable
        self._last_error = error
        self._last_check = datetime.now(UTC)

    def health_check(self) -> dict[str, Any]:
        """Health without I/O (so the guide's un-awaited ``temporal.health_check()`` works): server
        reachability as probed in the background at most :data:`HEALTH_INTERVAL` ago (``last_checked``),
        namespace, task queue, worker state, catalog. :meth:`check_health` probes when that is older."""
        temporal = self.settings.temporal
        return {
            "enabled": temporal.enabled,
            "ready": self.is_ready,
            "address": self._address(),
            "namespace": self.client.namespace if self.client is not None else temporal.namespace,
            "task_queue": temporal.task_queue,
            "server": {
                "reachable": self._reachable,
                "last_checked": self._last_check.isoformat() if self._last_check else None,
                "error": self._last_error,
            },
            "worker": {
                "state": self._worker_state(),
                "error": self._worker_error,
                "activities": len(self.activities),
                "code_workflows": sorted(self.workers.workflows()),
            },
            "definitions": {
                "loaded": self.catalog.names(),
                "invalid": sorted(self.catalog.invalid),
            },
        }

    async def check_health(self, timeout: float = 2.0) -> dict[str, Any]:
        """Probe the Temporal frontend (bounded by ``timeout`` seconds) unless a probe answered less than
        :data:`HEALTH_INTERVAL` ago, then return :meth:`health_check`."""
        last = self._last_check
        if last is None or (datetime.now(UTC) - last).total_seconds() >= HEALTH_INTERVAL:
            await self._probe(timeout)
        return self.health_check()

    async def _probe(self, timeout: float) -> None:
        if self.client is None:
            return
        try:
            serving = await self.client.service_client.check_health(timeout=timedelta(seconds=timeout))
            self._note_reachable(bool(serving), None if serving else "the workflow service is not serving")
        except Exception as err:
            self._note_reachable(False, _unreachable(err))
