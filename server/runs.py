"""Client operations on runs: the one code path behind the engine API, the HTTP service and the CLI.

Everything that can be checked before talking to Temporal is checked here first (definition known, input
valid against its schema, activities registered, signal/query/update declared and payload valid, run still
open), so bad requests fail with a typed :mod:`tdsl.server.errors` exception and never start or disturb a run.

Idempotent starts: a definition with an ``id`` template derives the workflow id from the input. Starting it
again while that run is open returns the open run; after it completed, the completed run (``existing`` is
true either way); after it failed, was cancelled or terminated, a new run starts. An explicit workflow id
that is already running raises :class:`~tdsl.server.errors.RunAlreadyExists` instead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from tdsl.activities.registry import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog, CatalogEntry, activity_names
from tdsl.dsl_schema.expressions import ExpressionError, render
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.interpreter import PROGRESS_QUERY, RunPayload

from .code_workflows import CodeWorkflow
from .errors import (
    DefinitionNotRunnable,
    InvalidInput,
    InvalidPayload,
    QueryFailed,
    RunAlreadyExists,
    RunFailedError,
    RunNotRunning,
    UnknownDefinition,
    UnknownQuery,
    UnknownRun,
    UnknownSignal,
    UnknownUpdate,
)
from .run_errors import (
    declared_hint,
    did_you_mean,
    failure_outcome,
    quote,
    rpc_error,
    status_word,
    update_error,
)
from .run_types import RunInfo, RunOutcome, RunStatus, StartedRun, iso

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

# A query needs a worker; when none polls the run's task queue it would wait for the whole RPC deadline.
PROGRESS_TIMEOUT = timedelta(seconds=3)


_UNKNOWN_HANDLER: dict[str, type[UnknownSignal | UnknownQuery | UnknownUpdate]] = {
    "signal": UnknownSignal,
    "query": UnknownQuery,
    "update": UnknownUpdate,
}


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
        self.catalog = catalog
        self.registry = registry
        self.task_queue = task_queue
        self.code: dict[str, CodeWorkflow] = {
            name: value if isinstance(value, CodeWorkflow) else CodeWorkflow.from_class(value)
            for name, value in (code_workflows or {}).items()
        }
        self._activity_cache: dict[tuple[str, str], frozenset[str]] = {}

    @property
    def code_workflows(self) -> dict[str, type]:
        return {name: code.cls for name, code in self.code.items()}

    # ------------------------------------------------------------------ lookup
    def names(self) -> list[str]:
        """Every startable name: YAML definitions and code workflows."""
        return sorted({*self.catalog.names(), *self.code})

    def definition(self, name: str) -> CatalogEntry:
        """The catalog entry of a YAML definition; :class:`UnknownDefinition` otherwise."""
        entry = self.catalog.get(name)
        if entry is None:
            raise self._unknown(name)
        return entry

    def code_workflow(self, name: str) -> CodeWorkflow:
        code = self.code.get(name)
        if code is None:
            raise self._unknown(name)
        return code

    def _unknown(self, name: str) -> UnknownDefinition:
        invalid = [f for f, err in self.catalog.invalid.items() if f"'{name}'" in str(err) or name in f]
        if invalid:
            hint = f"; {invalid[0]} has errors and was not loaded"
        elif name in self.code:
            hint = " (it is a code-defined workflow, not a YAML definition)"
        else:
            hint = did_you_mean(name, self.names())
        return UnknownDefinition(f"unknown definition or workflow {name!r}{hint}")

    def knows(self, name: str) -> bool:
        return name in self.catalog.entries or name in self.code

    def check_input(self, entry: CatalogEntry, value: Any) -> None:
        """:class:`InvalidInput` listing every violation of the definition's input schema."""
        errors = schema_errors(entry.definition.input, value)
        if errors:
            raise InvalidInput(f"input of {entry.name!r} does not match its schema", errors)

    def check_activities(self, entry: CatalogEntry) -> None:
        """:class:`DefinitionNotRunnable` when the definition calls activities that are not registered."""
        missing = sorted({n for n in self._activities_of(entry) if n not in self.registry})
        if missing:
            listed = ", ".join(f"{n}{did_you_mean(n, self.registry.names())}" for n in missing)
            raise DefinitionNotRunnable(f"{entry.name!r} calls activities that are not registered: {listed}")

    def _activities_of(self, entry: CatalogEntry) -> frozenset[str]:
        # Definitions are immutable once loaded: walk each one once, not on every start.
        key = (entry.name, entry.sha256)
        found = self._activity_cache.get(key)
        if found is None:
            found = self._activity_cache[key] = frozenset(activity_names(entry.data))
        return found

    def _children_of(self, entry: CatalogEntry) -> dict[str, dict[str, Any]]:
        # Not cached by the parent's sha256: a child definition may change (or appear) while its parent does
        # not, and every start pins the children as the catalog holds them now.
        return self.catalog.children_of(entry.name)

    def workflow_id_for(self, entry: CatalogEntry, value: Any) -> str | None:
        """The id from the definition's ``id`` template, rendered over the input (``None`` without one)."""
        if not entry.definition.id:
            return None
        try:
            rendered = render(entry.definition.id, {"input": value})
        except ExpressionError as err:
            raise InvalidInput(
                f"cannot build the workflow id of {entry.name!r} from its input",
                [{"path": "$", "message": str(err), "validator": "id"}],
            ) from None
        text = str(rendered).strip()
        if not text:
            raise InvalidInput(
                f"the workflow id template of {entry.name!r} rendered an empty id",
                [{"path": "$", "message": f"{entry.definition.id!r} rendered empty", "validator": "id"}],
            )
        return text

    # ------------------------------------------------------------------ start
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
        """Start a run of a YAML definition or a code workflow (YAML wins when both have the name).

        With the definition's id template (or ``reuse_running=True``) a start whose id is already open
        returns that run; otherwise it raises :class:`RunAlreadyExists`. ``start_delay`` (seconds) delays
        the first workflow task (the seed's ``schedule``).
        """
        queue = task_queue or self.task_queue
        if start_delay is not None and start_delay < 0:
            raise InvalidInput(
                "the start delay cannot be negative",
                [{"path": "delay", "message": f"{start_delay} < 0", "validator": "minimum"}],
            )
        delay = timedelta(seconds=start_delay) if start_delay else None
        if workflow_id is not None and not workflow_id.strip():
            raise InvalidInput(
                "the workflow id cannot be empty",
                [{"path": "workflow_id", "message": "empty", "validator": "minLength"}],
            )
        if name not in self.catalog.entries and name in self.code:
            args = self.code[name].arguments(input)
            final_id = workflow_id or f"{name}-{uuid.uuid4()}"
            memo = {"workflow": name}
            return await self._start(name, args, final_id, queue, memo, delay, bool(reuse_running))
        entry = self.definition(name)
        self.check_input(entry, input)
        self.check_activities(entry)
        templated = self.workflow_id_for(entry, input) if workflow_id is None else None
        final_id = workflow_id or templated or f"{name}-{uuid.uuid4()}"
        reuse = reuse_running if reuse_running is not None else templated is not None
        payload = RunPayload(
            definition=entry.data, input=input, children=self._children_of(entry), source=entry.source
        ).to_data()
        return await self._start(name, [payload], final_id, queue, entry.memo(), delay, reuse)

    async def _start(
        self,
        workflow_type: str,
        args: list[Any],
        workflow_id: str,
        task_queue: str,
        memo: dict[str, Any] | None,
        delay: timedelta | None,
        reuse: bool,
    ) -> StartedRun:
        try:
            handle = await self.client.start_workflow(
                workflow_type,
                args=args,
                id=workflow_id,
                task_queue=task_queue,
                memo=memo,
                start_delay=delay,
                # Idempotent starts: a completed run answers the retried request; a failed one may be re-run.
                id_reuse_policy=(
                    WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
                    if reuse
                    else WorkflowIDReusePolicy.ALLOW_DUPLICATE
                ),
                id_conflict_policy=(
                    WorkflowIDConflictPolicy.USE_EXISTING if reuse else WorkflowIDConflictPolicy.FAIL
                ),
            )
        except WorkflowAlreadyStartedError as err:
            if reuse:
                return StartedRun(workflow_id, err.run_id, workflow_type, existing=True)
            raise RunAlreadyExists(
                f"a run with id {workflow_id!r} is already running", workflow_id, err.run_id
            ) from None
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        response = getattr(handle, "_start_workflow_response", None)
        existing = response is not None and not response.started
        run_id = response.run_id if response is not None else handle.result_run_id
        return StartedRun(handle.id, run_id, workflow_type, existing)

    async def execute(
        self, name: str, input: Any = None, *, timeout: float | None = None, **options: Any
    ) -> Any:
        """Start a run and wait for its result (``TimeoutError`` after ``timeout`` seconds)."""
        started = await self.start(name, input, **options)
        return await self.result(started.workflow_id, timeout=timeout)

    # ------------------------------------------------------------------ inspect
    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id)

    async def info(self, workflow_id: str, *, progress: bool = False) -> RunInfo:
        """Status of the latest run with this id; with ``progress`` also the built-in progress (DSL runs)."""
        try:
            desc = await self.handle(workflow_id).describe()
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        memo = await desc.memo()
        info = RunInfo(
            workflow_id=desc.id,
            run_id=desc.run_id,
            workflow_type=desc.workflow_type,
            status=RunStatus.of(desc.status),
            start_time=desc.start_time,
            close_time=desc.close_time,
            execution_time=desc.execution_time,
            task_queue=desc.task_queue,
            history_length=desc.history_length,
            definition=memo.get("definition"),
            version=memo.get("version"),
            sha256=memo.get("sha256"),
            commit=memo.get("commit"),
        )
        if progress and info.definition is not None:
            info = replace(info, progress=await self.progress(workflow_id))
        return info

    async def describe(self, workflow_id: str) -> dict[str, Any]:
        """:meth:`info` as plain data."""
        return (await self.info(workflow_id)).as_dict()

    async def progress(self, workflow_id: str) -> dict[str, Any] | None:
        """The built-in progress of a DSL run (``None`` for code workflows, or when no worker answers)."""
        try:
            return await self.handle(workflow_id).query(PROGRESS_QUERY, rpc_timeout=PROGRESS_TIMEOUT)
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError):
            return None
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise UnknownRun(f"no run with id {workflow_id!r}") from None
            return None

    async def result(self, workflow_id: str, *, timeout: float | None = None) -> Any:
        """Wait for the result; builtin ``TimeoutError`` when it is not done within ``timeout`` seconds,
        :class:`RunFailedError` when the run failed, was cancelled, terminated or timed out."""
        outcome = await self.outcome(workflow_id, timeout=timeout)
        if outcome.status is RunStatus.COMPLETED:
            return outcome.result
        if outcome.status is RunStatus.RUNNING:
            raise TimeoutError(f"run {workflow_id!r} did not finish within {timeout}s")
        error = outcome.error or {}
        raise RunFailedError(
            f"run {workflow_id!r} {outcome.status.value.lower()}: "
            f"{error.get('type')}: {error.get('message')}",
            workflow_id=workflow_id,
            status=outcome.status.value,
            details=error.get("details"),
            error_type=error.get("type"),
        )

    async def outcome(self, workflow_id: str, *, timeout: float | None = None) -> RunOutcome:
        """The run's outcome, waiting up to ``timeout`` seconds (forever when ``None``) for it to close;
        a RUNNING outcome when it is still open after that. Never raises for a failed run."""
        handle = self.handle(workflow_id)
        if timeout is not None and timeout <= 0:
            info = await self.info(workflow_id)
            if info.status.is_open:
                return RunOutcome(workflow_id, RunStatus.RUNNING)
            timeout = None  # closed: fetching its result does not wait
        try:
            if timeout is None:
                value = await handle.result()
            else:
                value = await asyncio.wait_for(handle.result(), timeout)
        except TimeoutError:
            return RunOutcome(workflow_id, RunStatus.RUNNING)
        except WorkflowFailureError as err:
            return failure_outcome(workflow_id, err)
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        return RunOutcome(workflow_id, RunStatus.COMPLETED, result=value)

    async def list_runs(
        self, definition: str | None = None, limit: int = 20, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Recent runs, newest first, optionally of one definition and/or one status."""
        clauses = []
        if definition:
            clauses.append(f"WorkflowType = '{quote(definition)}'")
        if status:
            clauses.append(f"ExecutionStatus = '{status_word(status)}'")
        query = " AND ".join(clauses) or None
        runs = []
        try:
            async for execution in self.client.list_workflows(query, limit=limit):
                runs.append(
                    {
                        "workflow_id": execution.id,
                        "run_id": execution.run_id,
                        "workflow_type": execution.workflow_type,
                        "status": RunStatus.of(execution.status).value,
                        "start_time": iso(execution.start_time),
                        "close_time": iso(execution.close_time),
                        "task_queue": execution.task_queue,
                    }
                )
        except RPCError as err:
            raise rpc_error(err, "") from None
        return runs

    # ------------------------------------------------------------------ interact
    async def _target(
        self, workflow_id: str, *, open_for: str | None = None
    ) -> tuple[RunInfo, CatalogEntry | None, CodeWorkflow | None]:
        """The run, and the definition/code workflow it runs (``None`` when not known here). With
        ``open_for`` the run must still be open."""
        info = await self.info(workflow_id)
        if open_for is not None and not info.status.is_open:
            raise RunNotRunning(
                f"run {workflow_id!r} is {info.status.value}; it takes no {open_for}",
                workflow_id,
                info.status.value,
            )
        entry = self.catalog.get(info.workflow_type) if info.definition is not None else None
        if entry is not None and info.sha256 is not None and entry.sha256 != info.sha256:
            # The run is pinned to another version of the definition; let the run itself judge.
            entry = None
        code = self.code.get(info.workflow_type) if info.definition is None else None
        return info, entry, code

    def _check_handler(
        self,
        kind: str,
        name: str,
        args: tuple[Any, ...],
        entry: CatalogEntry | None,
        code: CodeWorkflow | None,
    ) -> None:
        """A signal, query or update must be declared by the run's definition (or code workflow), and its
        payload must match the schema the definition declares for it."""
        unknown = _UNKNOWN_HANDLER[kind]
        if entry is not None:
            definition = entry.definition
            declared: dict[str, Any] = {
                "signal": definition.signals, "query": definition.queries, "update": definition.updates
            }[kind] or {}
            if name not in declared:
                hint = declared_hint(name, sorted(declared))
                raise unknown(f"{entry.name!r} declares no {kind} {name!r}{hint}")
            errors = schema_errors(getattr(declared[name], "schema_", None), _payload(args))
            if errors:
                raise InvalidPayload(f"payload of {kind} {name!r} does not match its schema", errors)
        elif code is not None and not code.declares(kind, name):
            raise unknown(f"{code.name!r} declares no {kind} {name!r}{declared_hint(name, code.names(kind))}")

    async def signal(self, workflow_id: str, name: str, *args: Any) -> None:
        """Send a signal; it must be declared and its payload must match its schema."""
        _, entry, code = await self._target(workflow_id, open_for="signals")
        self._check_handler("signal", name, args, entry, code)
        try:
            await self.handle(workflow_id).signal(name, args=list(args))
        except RPCError as err:
            raise rpc_error(err, workflow_id, "signals") from None

    async def query(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Ask a declared query (or the built-in ``__progress``); queries also answer after the run closed."""
        _, entry, code = await self._target(workflow_id)
        if name != PROGRESS_QUERY:
            self._check_handler("query", name, args, entry, code)
        try:
            return await self.handle(workflow_id).query(name, args=list(args))
        except WorkflowQueryFailedError as err:
            text = str(err)
            if "not declared" in text or "expected but not found" in text or "UnknownQuery" in text:
                raise UnknownQuery(text) from None
            raise QueryFailed(f"query {name!r} failed: {text}") from None
        except WorkflowQueryRejectedError as err:
            raise QueryFailed(f"query {name!r} rejected: run is {err.status}") from None
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None

    async def update(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Send an update and wait for its result; a rejected update leaves no trace in the history."""
        _, entry, code = await self._target(workflow_id, open_for="updates")
        self._check_handler("update", name, args, entry, code)
        try:
            return await self.handle(workflow_id).execute_update(name, args=list(args))
        except WorkflowUpdateFailedError as err:
            raise update_error(name, err) from None
        except RPCError as err:
            raise rpc_error(err, workflow_id, "updates") from None

    async def cancel(self, workflow_id: str) -> None:
        """Request cancellation (DSL runs compensate, then end CANCELED)."""
        await self._target(workflow_id, open_for="cancellation")
        try:
            await self.handle(workflow_id).cancel()
        except RPCError as err:
            raise rpc_error(err, workflow_id, "cancellation") from None

    async def terminate(self, workflow_id: str, reason: str | None = None) -> None:
        """End the run at once, without compensation."""
        await self._target(workflow_id, open_for="termination")
        try:
            await self.handle(workflow_id).terminate(reason=reason)
        except RPCError as err:
            raise rpc_error(err, workflow_id, "termination") from None

    # Also reachable as a static method of the service, where it used to be defined.
    _rpc_error = staticmethod(rpc_error)


def _payload(args: tuple[Any, ...]) -> Any:
    if not args:
        return None
    return args[0] if len(args) == 1 else list(args)
