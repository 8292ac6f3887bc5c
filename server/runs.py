"""Client operations on runs: the one code path behind the engine API, the HTTP service and the CLI.

Everything that can be checked before talking to Temporal is checked here first (definition known, input
valid against its schema, activities registered, signal/update declared and payload valid), so bad requests
fail with a typed :mod:`server.errors` exception and never start or disturb a run.
"""

from __future__ import annotations

import asyncio
import difflib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.registry import ActivityRegistry
from dsl_schema.catalog import Catalog, CatalogEntry
from dsl_schema.expressions import ExpressionError, render
from dsl_schema.payloads import schema_errors
from interpreter import PROGRESS_QUERY, RunPayload

from .errors import (
    DefinitionNotRunnable,
    EngineError,
    InvalidInput,
    InvalidPayload,
    RunAlreadyExists,
    RunFailedError,
    UnknownDefinition,
    UnknownHandler,
    UnknownRun,
)


def activity_names(data: Any) -> Iterator[str]:
    """Every activity name a definition (as data) calls, compensations included."""
    if isinstance(data, dict):
        name = data.get("activity")
        if isinstance(name, str):
            yield name
        for value in data.values():
            yield from activity_names(value)
    elif isinstance(data, list):
        for value in data:
            yield from activity_names(value)


def did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class StartedRun:
    """A started (or already running, for idempotent starts) run."""

    workflow_id: str
    run_id: str | None
    definition: str
    existing: bool = False


class RunService:
    """Start and operate runs of catalog definitions and code-defined workflows."""

    def __init__(
        self,
        client: Client,
        catalog: Catalog,
        registry: ActivityRegistry,
        task_queue: str,
        code_workflows: Mapping[str, type] | None = None,
    ) -> None:
        self.client = client
        self.catalog = catalog
        self.registry = registry
        self.task_queue = task_queue
        self.code_workflows = dict(code_workflows or {})

    # ------------------------------------------------------------------ lookup
    def definition(self, name: str) -> CatalogEntry:
        entry = self.catalog.get(name)
        if entry is None:
            known = self.catalog.names() + sorted(self.code_workflows)
            invalid = [f for f, err in self.catalog.invalid.items() if f"'{name}'" in str(err) or name in f]
            hint = f"; {invalid[0]} has errors" if invalid else did_you_mean(name, known)
            raise UnknownDefinition(f"unknown definition {name!r}{hint}")
        return entry

    def knows(self, name: str) -> bool:
        return name in self.catalog.entries or name in self.code_workflows

    def check_input(self, entry: CatalogEntry, value: Any) -> None:
        errors = schema_errors(entry.definition.input, value)
        if errors:
            raise InvalidInput(f"input of {entry.name!r} does not match its schema", errors)

    def check_activities(self, entry: CatalogEntry) -> None:
        missing = sorted({n for n in activity_names(entry.data) if n not in self.registry})
        if missing:
            listed = ", ".join(f"{n}{did_you_mean(n, self.registry.names())}" for n in missing)
            raise DefinitionNotRunnable(f"{entry.name!r} calls activities that are not registered: {listed}")

    def workflow_id_for(self, entry: CatalogEntry, value: Any) -> str | None:
        """The id from the definition's ``id`` template, rendered over the input (``None`` without one)."""
        if not entry.definition.id:
            return None
        try:
            rendered = render(entry.definition.id, {"input": value})
        except ExpressionError as err:
            raise InvalidInput(f"cannot build the workflow id of {entry.name!r}: {err}", [
                {"path": "$", "message": str(err), "validator": "id"}]) from None
        return str(rendered)

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
        """Start a run. With the definition's id template (or ``reuse_running=True``) a start whose id is
        already running returns that run instead of starting a second one; otherwise it raises
        :class:`RunAlreadyExists`."""
        queue = task_queue or self.task_queue
        delay = timedelta(seconds=start_delay) if start_delay else None
        if name in self.code_workflows and name not in self.catalog.entries:
            workflow_id = workflow_id or f"{name}-{uuid.uuid4()}"
            args = [] if input is None else [input]
            return await self._start(name, args, workflow_id, queue, None, delay, bool(reuse_running))
        entry = self.definition(name)
        self.check_input(entry, input)
        self.check_activities(entry)
        templated = self.workflow_id_for(entry, input) if workflow_id is None else None
        final_id = workflow_id or templated or f"{name}-{uuid.uuid4()}"
        reuse = reuse_running if reuse_running is not None else templated is not None
        payload = RunPayload(
            definition=entry.data, input=input, children=self.catalog.children_of(name)
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
        reuse_running: bool,
    ) -> StartedRun:
        try:
            handle = await self.client.start_workflow(
                workflow_type,
                args=args,
                id=workflow_id,
                task_queue=task_queue,
                memo=memo,
                start_delay=delay,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                id_conflict_policy=(
                    WorkflowIDConflictPolicy.USE_EXISTING if reuse_running else WorkflowIDConflictPolicy.FAIL
                ),
            )
        except WorkflowAlreadyStartedError:
            raise RunAlreadyExists(f"a run with id {workflow_id!r} is already running", workflow_id) from None
        response = getattr(handle, "_start_workflow_response", None)
        existing = response is not None and not response.started
        run_id = response.run_id if response is not None else handle.result_run_id
        return StartedRun(handle.id, run_id, workflow_type, existing)

    async def execute(self, name: str, input: Any = None, *, timeout: float | None = None, **options: Any) -> Any:
        """Start a run and wait for its result (``TimeoutError`` after ``timeout`` seconds)."""
        started = await self.start(name, input, **options)
        return await self.result(started.workflow_id, timeout=timeout)

    # ------------------------------------------------------------------ inspect
    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(workflow_id)

    async def describe(self, workflow_id: str) -> dict[str, Any]:
        """Status of a run: type (the definition name), status, times, definition version and sha256."""
        try:
            desc = await self.handle(workflow_id).describe()
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None
        memo = await desc.memo()
        return {
            "workflow_id": desc.id,
            "run_id": desc.run_id,
            "workflow_type": desc.workflow_type,
            "status": desc.status.name if desc.status else "UNKNOWN",
            "start_time": _iso(desc.start_time),
            "close_time": _iso(desc.close_time),
            "execution_time": _iso(desc.execution_time),
            "task_queue": desc.task_queue,
            "history_length": desc.history_length,
            "definition": memo.get("definition"),
            "version": memo.get("version"),
            "sha256": memo.get("sha256"),
            "commit": memo.get("commit"),
        }

    async def progress(self, workflow_id: str) -> dict[str, Any] | None:
        """The built-in progress of a DSL run (``None`` for code-defined workflows)."""
        try:
            return await self.handle(workflow_id).query(PROGRESS_QUERY)
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError):
            return None
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise UnknownRun(f"no run with id {workflow_id!r}") from None
            return None

    async def result(self, workflow_id: str, *, timeout: float | None = None) -> Any:
        """Wait for the result; ``TimeoutError`` after ``timeout`` seconds, :class:`RunFailedError` when the
        run failed, was cancelled or terminated."""
        handle = self.handle(workflow_id)
        try:
            if timeout is None:
                return await handle.result()
            return await asyncio.wait_for(handle.result(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"run {workflow_id!r} did not finish within {timeout}s") from None
        except WorkflowFailureError as err:
            raise _failure(workflow_id, err) from None
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    # ------------------------------------------------------------------ interact
    async def _entry_of_run(self, workflow_id: str) -> CatalogEntry | None:
        described = await self.describe(workflow_id)
        return self.catalog.get(described["workflow_type"])

    async def signal(self, workflow_id: str, name: str, *args: Any) -> None:
        """Send a signal; for DSL runs it must be declared and its payload must match its schema."""
        entry = await self._entry_of_run(workflow_id)
        if entry is not None:
            declared = entry.definition.signals or {}
            if name not in declared:
                raise UnknownHandler(
                    f"{entry.name!r} declares no signal {name!r}{did_you_mean(name, sorted(declared))}"
                )
            payload = _payload(args)
            errors = schema_errors(declared[name].schema_, payload)
            if errors:
                raise InvalidPayload(f"payload of signal {name!r} does not match its schema", errors)
        try:
            await self.handle(workflow_id).signal(name, args=list(args))
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def query(self, workflow_id: str, name: str, *args: Any) -> Any:
        entry = await self._entry_of_run(workflow_id)
        if entry is not None and name != PROGRESS_QUERY:
            declared = entry.definition.queries or {}
            if name not in declared:
                raise UnknownHandler(
                    f"{entry.name!r} declares no query {name!r}{did_you_mean(name, sorted(declared))}"
                )
        try:
            return await self.handle(workflow_id).query(name, args=list(args))
        except WorkflowQueryFailedError as err:
            if "not declared" in str(err) or "not found" in str(err).lower():
                raise UnknownHandler(str(err)) from None
            raise EngineError(f"query {name!r} failed: {err}") from None
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def update(self, workflow_id: str, name: str, *args: Any) -> Any:
        entry = await self._entry_of_run(workflow_id)
        if entry is not None:
            declared = entry.definition.updates or {}
            if name not in declared:
                raise UnknownHandler(
                    f"{entry.name!r} declares no update {name!r}{did_you_mean(name, sorted(declared))}"
                )
            errors = schema_errors(declared[name].schema_, _payload(args))
            if errors:
                raise InvalidPayload(f"payload of update {name!r} does not match its schema", errors)
        try:
            return await self.handle(workflow_id).execute_update(name, args=list(args))
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            message = cause.message if isinstance(cause, ApplicationError) else str(cause)
            raise InvalidPayload(f"update {name!r} rejected: {message}", [
                {"path": "$", "message": message, "validator": "update"}]) from None
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def cancel(self, workflow_id: str) -> None:
        try:
            await self.handle(workflow_id).cancel()
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def terminate(self, workflow_id: str, reason: str | None = None) -> None:
        try:
            await self.handle(workflow_id).terminate(reason=reason)
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def list_runs(self, definition: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Recent runs, newest first, optionally of one definition."""
        query = f"WorkflowType = '{definition}'" if definition else None
        runs = []
        async for execution in self.client.list_workflows(query, limit=limit):
            runs.append({
                "workflow_id": execution.id,
                "run_id": execution.run_id,
                "workflow_type": execution.workflow_type,
                "status": execution.status.name if execution.status else "UNKNOWN",
                "start_time": _iso(execution.start_time),
                "close_time": _iso(execution.close_time),
            })
        return runs

    @staticmethod
    def _rpc_error(err: RPCError, workflow_id: str) -> EngineError:
        if err.status == RPCStatusCode.NOT_FOUND:
            return UnknownRun(f"no run with id {workflow_id!r}")
        if err.status == RPCStatusCode.INVALID_ARGUMENT:
            return EngineError(f"rejected by Temporal: {err.message}")
        return EngineError(f"Temporal error ({err.status.name if err.status else 'unknown'}): {err.message}")


def _payload(args: tuple[Any, ...]) -> Any:
    if not args:
        return None
    return args[0] if len(args) == 1 else list(args)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _failure(workflow_id: str, err: WorkflowFailureError) -> RunFailedError:
    cause = err.cause
    status = "FAILED"
    details: Any = None
    message = str(cause)
    if isinstance(cause, ApplicationError):
        details = list(cause.details) if cause.details else None
        message = f"{cause.type}: {cause.message}" if cause.type else cause.message
    name = type(cause).__name__
    if name == "CancelledError":
        status = "CANCELED"
    elif name == "TerminatedError":
        status = "TERMINATED"
    elif name == "TimeoutError":
        status = "TIMED_OUT"
    return RunFailedError(f"run {workflow_id!r} {status.lower()}: {message}", workflow_id=workflow_id,
                          status=status, details=details)


TERMINAL_STATUSES = {
    WorkflowExecutionStatus.COMPLETED,
    WorkflowExecutionStatus.FAILED,
    WorkflowExecutionStatus.CANCELED,
    WorkflowExecutionStatus.TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT,
    WorkflowExecutionStatus.CONTINUED_AS_NEW,
}
