"""Inspecting runs: describe, status with the built-in progress, outcome and result, listing, history, and the
start input a run was pinned to.

Nothing here reads definitions: a run's definition name, version and sha256 come from its memo, the definition
itself from the first event of its history.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.converter import WorkflowSerializationContext
from temporalio.service import RPCError, RPCStatusCode

from ..errors import EngineNotReady, RunDidNotComplete, UnknownRun
from ..run_errors import failure_outcome, quote, rpc_error, status_word
from ..run_types import RunInfo, RunOutcome, RunStatus, iso
from ..validation import check_id, check_text
from .diagnosing import diagnose
from .pinned import PinnedDefinition

__all__ = ["PROGRESS_QUERY", "PROGRESS_TIMEOUT", "RunInspector", "did_not_complete"]

# The built-in query every DSL run answers: ``tdsl.interpreter.PROGRESS_QUERY``, spelled out here because
# importing the interpreter package costs the run-addressing CLI verbs about a quarter of a second
# (tests/server/test_gateway.py checks that both stay equal).
PROGRESS_QUERY = "__progress"

# A query needs a worker; when none polls the run's task queue it would wait for the whole RPC deadline.
PROGRESS_TIMEOUT = timedelta(seconds=3)

# Pinned definitions by (name, sha256): a definition with that hash is the same text in every run.
_PINNED_CACHE_SIZE = 256


def did_not_complete(outcome: RunOutcome) -> RunDidNotComplete:
    """The error of a run that closed without completing (what :meth:`RunInspector.result` raises)."""
    error = outcome.error
    why = f"{error['type']}: {error['message']}" if error is not None else "no error recorded"
    return RunDidNotComplete(
        f"run {outcome.workflow_id!r} {outcome.status.value.lower()}: {why}",
        workflow_id=outcome.workflow_id,
        status=outcome.status.value,
        error=error,
    )


def _as_of(status: RunStatus, progress: dict[str, Any] | None) -> dict[str, Any] | None:
    """The progress as it stands for a run with ``status``: a closed run runs nothing and waits for nothing
    (the query answers with the state of the last workflow task, which a termination never updated)."""
    if progress is None or status.is_open:
        return progress
    progress = dict(progress)
    current = progress.get("current_steps") or []
    if current and status is not RunStatus.COMPLETED:
        progress["stopped_in"] = list(current)
    progress["current_steps"] = []
    progress["pending_waits"] = []
    if status is not RunStatus.COMPLETED and progress.get("status") == "running":
        progress["status"] = status.value.lower()
    return progress


class RunInspector:
    """Read-only questions about runs, answered by Temporal."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._pinned: OrderedDict[tuple[str, str], PinnedDefinition] = OrderedDict()

    def handle(self, workflow_id: str, run_id: str | None = None) -> WorkflowHandle[Any, Any]:
        """The client's handle of the latest run with ``workflow_id`` (or of ``run_id``); every call that
        addresses a run comes here, so the id is checked here (:func:`~tdsl.server.validation.check_id`)."""
        check_id(workflow_id)
        if run_id is not None:
            check_id(run_id, "run_id")
        return self.client.get_workflow_handle(workflow_id, run_id=run_id)

    # ------------------------------------------------------------------ status
    async def info(self, workflow_id: str, *, progress: bool = False) -> RunInfo:
        """Status of the latest run with this id. A running run says why it is not progressing when
        Temporal shows a reason (``stalled``, see :mod:`~tdsl.server.gateway.diagnosing`; free unless a task
        or activity is stuck). With ``progress`` also the built-in progress (DSL runs) and, for a run that
        closed without completing, its ``error``; the progress of a closed run has no running steps nor
        pending waits (``stopped_in`` names the steps that were running when it ended)."""
        if not progress:
            return await self._describe(workflow_id)
        # Ask for the progress while describing (one round trip instead of two); the answer is dropped for a
        # code workflow, which the description reveals.
        asked = asyncio.ensure_future(self.progress(workflow_id))
        try:
            info = await self._describe(workflow_id)
        except BaseException:
            asked.cancel()
            await asyncio.gather(asked, return_exceptions=True)
            raise
        error = None
        if info.status not in (RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.CONTINUED_AS_NEW):
            error = (await self.outcome(workflow_id, timeout=0)).error
        if info.definition is None:
            asked.cancel()
            await asyncio.gather(asked, return_exceptions=True)
            return replace(info, error=error)
        return replace(info, progress=_as_of(info.status, await asked), error=error)

    async def _describe(self, workflow_id: str) -> RunInfo:
        try:
            desc = await self.handle(workflow_id).describe()
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        memo = await desc.memo()
        status = RunStatus.of(desc.status)
        stalled = None
        if status is RunStatus.RUNNING:
            stalled = [stall.as_dict() for stall in await diagnose(self.client, desc)] or None
        return RunInfo(
            workflow_id=desc.id,
            run_id=desc.run_id,
            workflow_type=desc.workflow_type,
            status=status,
            start_time=desc.start_time,
            close_time=desc.close_time,
            execution_time=desc.execution_time,
            task_queue=desc.task_queue,
            history_length=desc.history_length,
            definition=memo.get("definition"),
            version=memo.get("version"),
            sha256=memo.get("sha256"),
            commit=memo.get("commit"),
            stalled=stalled,
        )

    async def describe(self, workflow_id: str) -> dict[str, Any]:
        """:meth:`info` as plain data."""
        return (await self.info(workflow_id)).as_dict()

    async def progress(self, workflow_id: str) -> dict[str, Any] | None:
        """The built-in progress of a DSL run (``None`` for code workflows, or when no worker answers)."""
        try:
            answer: dict[str, Any] | None = await self.handle(workflow_id).query(
                PROGRESS_QUERY, rpc_timeout=PROGRESS_TIMEOUT
            )
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError):
            return None
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise UnknownRun(f"no run with id {workflow_id!r}") from None
            return None
        return answer

    # ------------------------------------------------------------------ outcome
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
            # Waiting for the result of a run that does not exist also times out: only a run that exists
            # is RUNNING (this raises UnknownRun otherwise).
            await self.info(workflow_id)
            return RunOutcome(workflow_id, RunStatus.RUNNING)
        except WorkflowFailureError as err:
            return failure_outcome(workflow_id, err)
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        return RunOutcome(workflow_id, RunStatus.COMPLETED, result=value)

    async def result(self, workflow_id: str, *, timeout: float | None = None) -> Any:
        """Wait for the result; builtin ``TimeoutError`` when it is not done within ``timeout`` seconds,
        :class:`RunDidNotComplete` when the run failed, was cancelled, terminated or timed out."""
        outcome = await self.outcome(workflow_id, timeout=timeout)
        if outcome.status is RunStatus.COMPLETED:
            return outcome.result
        if outcome.status is RunStatus.RUNNING:
            raise TimeoutError(f"run {workflow_id!r} did not finish within {timeout}s")
        raise did_not_complete(outcome)

    # ------------------------------------------------------------------ listing and history
    async def list_runs(
        self, definition: str | None = None, limit: int = 20, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Recent runs, newest first, optionally of one definition and/or one status."""
        clauses = []
        if definition is not None:
            check_text(definition, "definition")
        if status is not None:
            check_text(status, "status")
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
            if err.status == RPCStatusCode.NOT_FOUND:  # listing finds no namespace, never a missing run
                raise EngineNotReady(f"namespace {self.client.namespace!r} not found") from None
            raise rpc_error(err, "") from None
        return runs

    async def history(self, workflow_id: str, run_id: str | None = None) -> WorkflowHistory:
        """The run's whole event history (``.to_json()`` is what the replayer reads)."""
        try:
            return await self.handle(workflow_id, run_id).fetch_history()
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None

    async def start_input(self, workflow_id: str, run_id: str | None = None) -> list[Any]:
        """The decoded arguments the run was started with (its first history event)."""
        try:
            async for event in self.handle(workflow_id, run_id).fetch_history_events(page_size=1):
                payloads = event.workflow_execution_started_event_attributes.input.payloads
                converter = self.client.data_converter.with_context(
                    WorkflowSerializationContext(namespace=self.client.namespace, workflow_id=workflow_id)
                )
                return await converter.decode(list(payloads))
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        raise UnknownRun(f"no run with id {workflow_id!r}")

    async def pinned(self, info: RunInfo) -> PinnedDefinition | None:
        """The definition the run ``info`` describes is pinned to (``None`` for code workflows and for runs
        whose start input carries no definition). Cached by definition name and sha256."""
        if info.definition is None:
            return None
        key = (info.definition, info.sha256) if info.sha256 else None
        if key is not None and key in self._pinned:
            self._pinned.move_to_end(key)
            return self._pinned[key]
        args = await self.start_input(info.workflow_id, info.run_id)
        found = PinnedDefinition.from_start_input(
            args[0] if args else None, version=info.version, sha256=info.sha256
        )
        if found is not None and key is not None:
            self.remember(found)
        return found

    def remember(self, pinned: PinnedDefinition) -> None:
        """Cache a pinned definition (for example one the caller knows by its hash) for :meth:`pinned`."""
        if pinned.sha256 is None:
            return
        self._pinned[(pinned.name, pinned.sha256)] = pinned
        self._pinned.move_to_end((pinned.name, pinned.sha256))
        while len(self._pinned) > _PINNED_CACHE_SIZE:
            self._pinned.popitem(last=False)
