"""Messaging runs: signals, queries, updates, cancellation and termination.

Before anything is sent, the run must exist (and be open, except for queries), and the signal, query or update
must be declared by the definition the run is pinned to (or by its code workflow) with a payload that matches
the declared schema, so a mistake is a typed :mod:`tdsl.server.errors` exception and never disturbs the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from temporalio.client import WorkflowQueryFailedError, WorkflowQueryRejectedError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from ..errors import EngineError, QueryFailed, RunNotRunning
from ..run_errors import rpc_error, update_error
from ..run_types import RunInfo
from ..validation import check_name, check_payload
from .inspecting import PROGRESS_QUERY, RunInspector
from .pinned import PinnedDefinition, check_handler

if TYPE_CHECKING:
    from ..code_workflows import CodeWorkflow

__all__ = ["KnownDefinition", "RunMessenger"]

# A definition the caller already holds, by (name, sha256): spares reading the run's history.
KnownDefinition = Callable[[str, str], PinnedDefinition | None]


class RunMessenger:
    """Send signals, queries, updates, cancellations and terminations to runs.

    ``code_workflows`` are the code-defined workflows known here (their handlers are checked too); ``known``
    looks up a definition the caller already has (for example the engine's catalog) by name and sha256.
    """

    def __init__(
        self,
        inspector: RunInspector,
        code_workflows: Mapping[str, CodeWorkflow] | None = None,
        known: KnownDefinition | None = None,
    ) -> None:
        self.inspector = inspector
        self.code: Mapping[str, CodeWorkflow] = code_workflows if code_workflows is not None else {}
        self._known = known

    async def target(
        self, workflow_id: str, *, open_for: str | None = None
    ) -> tuple[RunInfo, PinnedDefinition | None, CodeWorkflow | None]:
        """The run, the definition it is pinned to (DSL runs) and its code workflow (when known here). With
        ``open_for`` (``"signals"``, ...) the run must still be open."""
        if open_for is not None:
            info = await self._open(workflow_id, open_for)
        else:
            info = await self.inspector.info(workflow_id)
        if info.definition is None:
            return info, None, self.code.get(info.workflow_type)
        return info, await self._pinned(info), None

    async def _pinned(self, info: RunInfo) -> PinnedDefinition | None:
        if self._known is not None and info.definition is not None and info.sha256 is not None:
            known = self._known(info.definition, info.sha256)
            if known is not None:
                return known
        return await self.inspector.pinned(info)

    async def check(self, workflow_id: str, kind: str, name: str, args: tuple[Any, ...]) -> None:
        """Refuse a ``kind`` (``signal``, ``query``, ``update``) ``name`` the run does not declare, or whose
        payload does not match its schema, without sending anything."""
        check_name(name, kind)
        for arg in args:
            check_payload(arg, "payload")
        open_for = {"signal": "signals", "update": "updates"}.get(kind)
        _, pinned, code = await self.target(workflow_id, open_for=open_for)
        check_handler(kind, name, args, pinned, code)

    async def signal(self, workflow_id: str, name: str, *args: Any) -> None:
        """Send a signal; it must be declared and its payload must match its schema."""
        await self.check(workflow_id, "signal", name, args)
        try:
            await self.inspector.handle(workflow_id).signal(name, args=list(args))
        except RPCError as err:
            raise await self._refused(err, workflow_id, "signals") from None

    async def query(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Ask a declared query (or the built-in ``__progress``); queries also answer after the run closed."""
        check_name(name, "query")
        for arg in args:
            check_payload(arg, "payload")
        if name == PROGRESS_QUERY:
            await self.inspector.info(workflow_id)  # every DSL run answers it: only the run must exist
        else:
            await self.check(workflow_id, "query", name, args)
        try:
            return await self.inspector.handle(workflow_id).query(name, args=list(args))
        except WorkflowQueryFailedError as err:
            # The query was declared (``check`` refused undeclared ones from the pinned definition), so
            # whatever the worker says, the query failed; Temporal gives its reason as text only.
            raise QueryFailed(f"query {name!r} failed: {err.message}") from None
        except WorkflowQueryRejectedError as err:
            raise QueryFailed(f"query {name!r} rejected: run is {err.status}") from None
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None

    async def update(self, workflow_id: str, name: str, *args: Any) -> Any:
        """Send an update and wait for its result; a rejected update leaves no trace in the history."""
        await self.check(workflow_id, "update", name, args)
        try:
            return await self.inspector.handle(workflow_id).execute_update(name, args=list(args))
        except WorkflowUpdateFailedError as err:
            raise update_error(name, err) from None
        except RPCError as err:
            raise await self._refused(err, workflow_id, "updates") from None

    async def cancel(self, workflow_id: str) -> None:
        """Request cancellation (DSL runs compensate, then end CANCELED)."""
        await self._open(workflow_id, "cancellation")
        try:
            await self.inspector.handle(workflow_id).cancel()
        except RPCError as err:
            raise await self._refused(err, workflow_id, "cancellation") from None

    async def terminate(self, workflow_id: str, reason: str | None = None) -> None:
        """End the run at once, without compensation."""
        check_payload(reason, "reason")
        await self._open(workflow_id, "termination")
        try:
            await self.inspector.handle(workflow_id).terminate(reason=reason)
        except RPCError as err:
            raise await self._refused(err, workflow_id, "termination") from None

    async def _refused(self, err: RPCError, workflow_id: str, action: str) -> EngineError:
        """The error for a refused signal, update, cancellation or termination. NOT_FOUND also means the run
        closed since :meth:`_open` saw it open: the run's description tells which, as data."""
        if err.status != RPCStatusCode.NOT_FOUND:
            return rpc_error(err, workflow_id)
        try:
            await self._open(workflow_id, action)
        except EngineError as refusal:  # RunNotRunning, or UnknownRun when there is no such run at all
            return refusal
        return rpc_error(err, workflow_id)

    async def _open(self, workflow_id: str, action: str) -> RunInfo:
        """The run's info; :class:`RunNotRunning` when it has closed (it takes no ``action``)."""
        info = await self.inspector.info(workflow_id)
        if not info.status.is_open:
            raise RunNotRunning(
                f"run {workflow_id!r} is {info.status.value}; it takes no {action}",
                workflow_id,
                info.status.value,
            )
        return info
