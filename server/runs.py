"""``RunService``: the facade over the gateway to Temporal that the engine API, the HTTP service and
``tdsl run`` use.

It composes the three concerns of :mod:`tdsl.server.gateway`: :class:`~tdsl.server.gateway.RunStarter`
(lookup, checks and start; it needs the catalog), :class:`~tdsl.server.gateway.RunInspector` (describe,
status, outcome, list, history) and :class:`~tdsl.server.gateway.RunMessenger` (signal, query, update,
cancel, terminate). The run-addressing CLI verbs use the inspector and the messenger directly, so every
caller goes through the same code. Each method here only delegates; see the gateway modules for behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from temporalio.client import Client, WorkflowHandle, WorkflowHistory

from tdsl.activities.registry import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog, CatalogEntry, activity_names

from .code_workflows import CodeWorkflow
from .gateway.inspecting import PROGRESS_TIMEOUT, RunInspector
from .gateway.messaging import RunMessenger
from .gateway.starting import RunStarter
from .run_errors import did_you_mean, rpc_error
from .run_types import RunInfo, RunOutcome, RunStatus, StartedRun

if TYPE_CHECKING:
    from .upgrade import RunUpgrade

# The value types and helpers live in their own modules; they stay importable from here.
__all__ = [
    "PROGRESS_TIMEOUT",
    "RunInfo",
    "RunOutcome",
    "RunService",
    "RunStatus",
    "StartedRun",
    "activity_names",
    "did_you_mean",
]


class RunService:
    """Start and operate runs of catalog definitions and code-defined workflows."""

    def __init__(
        self,
        client: Client,
        catalog: Catalog,
        registry: ActivityRegistry,
        task_queue: str,
        code_workflows: Mapping[str, type | CodeWorkflow] | None = None,
    ) -> None:
        self.client = client
        self.code: dict[str, CodeWorkflow] = {
            name: value if isinstance(value, CodeWorkflow) else CodeWorkflow.from_class(value)
            for name, value in (code_workflows or {}).items()
        }
        self.starter = RunStarter(client, catalog, registry, task_queue, self.code)
        self.inspector = RunInspector(client)
        # A run pinned to the text the catalog holds needs no history read to check its messages.
        self.messenger = RunMessenger(self.inspector, self.code, known=self.starter.known)

    @property
    def catalog(self) -> Catalog:
        return self.starter.catalog

    @property
    def registry(self) -> ActivityRegistry:
        return self.starter.registry

    @property
    def task_queue(self) -> str:
        return self.starter.task_queue

    @property
    def code_workflows(self) -> dict[str, type]:
        return {name: code.cls for name, code in self.code.items()}

    # ------------------------------------------------------------------ lookup and start (RunStarter)
    def names(self) -> list[str]:
        """Every startable name: YAML definitions and code workflows."""
        return self.starter.names()

    def definition(self, name: str) -> CatalogEntry:
        """The catalog entry of a YAML definition; :class:`UnknownDefinition` otherwise."""
        return self.starter.definition(name)

    def code_workflow(self, name: str) -> CodeWorkflow:
        """A registered code workflow; :class:`UnknownDefinition` otherwise."""
        return self.starter.code_workflow(name)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a YAML definition or a code workflow known here."""
        return self.starter.knows(name)

    def check_input(self, entry: CatalogEntry, value: Any) -> None:
        """:class:`InvalidInput` listing every violation of the definition's input schema."""
        self.starter.check_input(entry, value)

    def check_activities(self, entry: CatalogEntry) -> None:
        """:class:`ActivitiesNotRegistered` when the definition calls activities that are not registered."""
        self.starter.check_activities(entry)

    def workflow_id_for(self, entry: CatalogEntry, value: Any) -> str | None:
        """The id from the definition's ``id`` template, rendered over the input (``None`` without one)."""
        return self.starter.workflow_id_for(entry, value)

    async def start(
        self,
        name: str,
        input: Any = None,
        *,
        workflow_id: str | None = None,
        start_delay: float | None = None,
        reuse_running: bool | None = None,
        task_queue: str | None = None,
    ) -> StartedRun:
        """Start a run of a YAML definition or a code workflow; see :meth:`RunStarter.start`."""
        return await self.starter.start(
            name,
            input,
            workflow_id=workflow_id,
            start_delay=start_delay,
            reuse_running=reuse_running,
            task_queue=task_queue,
        )

    async def execute(
        self, name: str, input: Any = None, *, timeout: float | None = None, **options: Any
    ) -> Any:
        """Start a run and wait for its result (``TimeoutError`` after ``timeout`` seconds)."""
        started = await self.start(name, input, **options)
        return await self.inspector.result(started.workflow_id, timeout=timeout)

    # ------------------------------------------------------------------ inspect (RunInspector)
    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        """The client's handle of the latest run with ``workflow_id``."""
        return self.inspector.handle(workflow_id)

    async def info(self, workflow_id: str, *, progress: bool = False) -> RunInfo:
        """Status of the latest run with this id; with ``progress`` also the built-in progress (DSL runs)."""
        return await self.inspector.info(workflow_id, progress=progress)

    async def describe(self, workflow_id: str) -> dict[str, Any]:
        """:meth:`info` as plain data."""
        return await self.inspector.describe(workflow_id)

    async def progress(self, workflow_id: str) -> dict[str, Any] | None:
        """The built-in progress of a DSL run (``None`` for code workflows, or when no worker answers)."""
        return await self.inspector.progress(workflow_id)

    async def result(self, workflow_id: str, *, timeout: float | None = None) -> Any:
        """The result; builtin ``TimeoutError`` when not done in time, :class:`RunDidNotComplete` when the run
        did not complete."""
        return await self.inspector.result(workflow_id, timeout=timeout)

    async def outcome(self, workflow_id: str, *, timeout: float | None = None) -> RunOutcome:
        """Status plus result or error, never raising for a failed run (RUNNING when not done in time)."""
        return await self.inspector.outcome(workflow_id, timeout=timeout)

    async def list_runs(
        self, definition: str | None = None, limit: int = 20, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Recent runs, newest first, optionally of one definition and/or one status."""
        return await self.inspector.list_runs(definition, limit=limit, status=status)

    async def history(self, workflow_id: str) -> WorkflowHistory:
        """The latest run's whole event history."""
        return await self.inspector.history(workflow_id)

    # ------------------------------------------------------------------ interact (RunMessenger)
    async def signal(self, workflow_id: str, name: str, *args: Any) -> None:
        """Send a signal; it must be declared and its payload must match its schema."""
        await self.messenger.signal(workflow_id, name, *args)

    async def query(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Ask a declared query (or the built-in ``__progress``); queries also answer after the run closed."""
        return await self.messenger.query(workflow_id, name, *args)

    async def update(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Send an update and wait for its result; a rejected update leaves no trace in the history."""
        return await self.messenger.update(workflow_id, name, *args)

    async def cancel(self, workflow_id: str) -> None:
        """Request cancellation (DSL runs compensate, then end CANCELED)."""
        await self.messenger.cancel(workflow_id)

    async def terminate(self, workflow_id: str, reason: str | None = None) -> None:
        """End the run at once, without compensation."""
        await self.messenger.terminate(workflow_id, reason)

    # ------------------------------------------------------------------ upgrade (tdsl.server.upgrade)
    async def upgrade(
        self, name: str, *, dry_run: bool = False, query: str | None = None, run_id: str | None = None
    ) -> list[RunUpgrade]:
        """Offer the catalog's definition ``name`` to its open runs, checked (docs/UPGRADE.md): one report
        per run (``compatible``/``incompatible`` in a dry run, else ``moved``/``refused``/``rejected``)."""
        from .upgrade import Upgrader  # the replay machinery: only when upgrading

        return await Upgrader(self).upgrade(name, dry_run=dry_run, query=query, run_id=run_id)

    # Also reachable as a static method of the service, where it used to be defined.
    _rpc_error = staticmethod(rpc_error)
