"""Starting runs: what can be started, the checks before a start, and the start itself.

Everything that can be checked before talking to Temporal is checked first (definition known, input valid
against its schema, activities registered), so a bad request fails with a typed :mod:`tdsl.server.errors`
exception and never starts a run.

Idempotent starts: a definition with an ``id`` template derives the workflow id from the input. Starting it
again while that run is open returns the open run (``existing`` is true). Whether a closed run with that id
is returned too is the definition's ``id_reuse`` (Temporal's id reuse policy): ``unless_completed`` (the
default) returns a completed run and starts a new one after a failure, cancellation or termination;
``always`` starts a new run after any close; ``never`` returns any earlier run. An explicit workflow id
that is already running raises :class:`~tdsl.server.errors.RunAlreadyExists` instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path, PurePath
from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from tdsl.activities.registry import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog, CatalogEntry, activity_names
from tdsl.dsl_schema.expressions import ExpressionError, render
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.interpreter import RunPayload

from ..code_workflows import CodeWorkflow
from ..errors import ActivitiesNotRegistered, InvalidInput, RunAlreadyExists, UnknownDefinition
from ..run_errors import did_you_mean, rpc_error
from ..run_types import StartedRun
from ..validation import check_id, check_name, check_payload
from .pinned import PinnedDefinition

__all__ = ["ID_REUSE", "RunStarter"]

# A definition's ``id_reuse`` as Temporal's id reuse policy (None: the default, unless_completed).
ID_REUSE: dict[str | None, WorkflowIDReusePolicy] = {
    None: WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    "unless_completed": WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    "always": WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    "never": WorkflowIDReusePolicy.REJECT_DUPLICATE,
}


def _shown(file: str) -> str:
    """A definition file as an answer may show it: relative to the working directory, else its name alone
    (never an absolute path of the server's disk)."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return path.name


class RunStarter:
    """Start runs of catalog definitions and code-defined workflows on ``task_queue``."""

    def __init__(
        self,
        client: Client,
        catalog: Catalog,
        registry: ActivityRegistry,
        task_queue: str,
        code_workflows: Mapping[str, CodeWorkflow] | None = None,
    ) -> None:
        self.client = client
        self.catalog = catalog
        self.registry = registry
        self.task_queue = task_queue
        self.code: Mapping[str, CodeWorkflow] = code_workflows if code_workflows is not None else {}
        self._activity_cache: dict[tuple[str, str], frozenset[str]] = {}

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
        """A registered code workflow; :class:`UnknownDefinition` otherwise."""
        code = self.code.get(name)
        if code is None:
            raise self._unknown(name)
        return code

    def _unknown(self, name: str) -> UnknownDefinition:
        refused = self.catalog.refused.get(name) or self._file_named(name)
        if refused is not None:
            hint = f"; {_shown(refused)} has errors and was not loaded"
        elif name in self.code:
            hint = " (it is a code-defined workflow, not a YAML definition)"
        else:
            hint = did_you_mean(name, self.names())
        return UnknownDefinition(f"unknown definition or workflow {name!r}{hint}")

    def _file_named(self, name: str) -> str | None:
        """A refused file named after ``name`` (``name.yaml``) whose YAML did not parse, so it declares no
        name: the guess left. A file that parsed declares its name (``Catalog.refused``); that decides."""
        declaring = set(self.catalog.refused.values())
        return next(
            (f for f in self.catalog.invalid if f not in declaring and PurePath(f).stem == name), None
        )

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a YAML definition or a code workflow known here."""
        return name in self.catalog.entries or name in self.code

    def known(self, name: str, sha256: str) -> PinnedDefinition | None:
        """The catalog's definition ``name`` if its sha256 is ``sha256`` (a run pinned to this very text)."""
        entry = self.catalog.get(name)
        if entry is None or entry.sha256 != sha256:
            return None
        return PinnedDefinition(name=entry.name, data=entry.data, version=entry.version, sha256=entry.sha256)

    # ------------------------------------------------------------------ checks
    def check_input(self, entry: CatalogEntry, value: Any) -> None:
        """:class:`InvalidInput` listing every violation of the definition's input schema."""
        errors = schema_errors(entry.definition.input, value)
        if errors:
            raise InvalidInput(f"input of {entry.name!r} does not match its schema", errors)

    def check_activities(self, entry: CatalogEntry) -> None:
        """:class:`ActivitiesNotRegistered` when the definition calls activities that are not registered."""
        missing = sorted({n for n in self._activities_of(entry) if n not in self.registry})
        if missing:
            listed = ", ".join(f"{n}{did_you_mean(n, self.registry.names())}" for n in missing)
            raise ActivitiesNotRegistered(
                f"{entry.name!r} calls activities that are not registered: {listed}", missing
            )

    def _activities_of(self, entry: CatalogEntry) -> frozenset[str]:
        # Definitions are immutable once loaded: walk each one once, not on every start.
        key = (entry.name, entry.sha256)
        found = self._activity_cache.get(key)
        if found is None:
            found = self._activity_cache[key] = frozenset(activity_names(entry.data))
        return found

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
        check_name(name, "definition")
        check_payload(input, "input")
        if workflow_id is not None:
            check_id(workflow_id)
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
        if templated is not None:
            check_id(templated, "workflow_id (from the definition's id template)")
        final_id = workflow_id or templated or f"{name}-{uuid.uuid4()}"
        reuse = reuse_running if reuse_running is not None else templated is not None
        args, memo = self.run_arguments(entry, input)
        policy = ID_REUSE[entry.definition.id_reuse]
        return await self._start(name, args, final_id, queue, memo, delay, reuse, policy)

    def run_arguments(self, entry: CatalogEntry, input: Any) -> tuple[list[Any], dict[str, Any]]:
        """The workflow arguments and memo of a run of ``entry`` with ``input``, pinned to the definition as
        the catalog holds it now: what :meth:`start` sends, and what a declared schedule starts. The workflow
        type is the definition's name. Check the input and activities first (:meth:`check_input`,
        :meth:`check_activities`)."""
        # Not cached by the parent's sha256: a child definition may change (or appear) while its parent does
        # not, and every start pins the children as the catalog holds them now.
        children = self.catalog.children_of(entry.name)
        payload = RunPayload(
            definition=entry.data, input=input, children=children, source=entry.source
        ).to_data()
        return [payload], entry.memo()

    async def _start(
        self,
        workflow_type: str,
        args: list[Any],
        workflow_id: str,
        task_queue: str,
        memo: dict[str, Any] | None,
        delay: timedelta | None,
        reuse: bool,
        reuse_policy: WorkflowIDReusePolicy = WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    ) -> StartedRun:
        try:
            handle = await self.client.start_workflow(
                workflow_type,
                args=args,
                id=workflow_id,
                task_queue=task_queue,
                memo=memo,
                start_delay=delay,
                # Idempotent starts: the definition's id_reuse says which closed runs answer a retried
                # request (by default a completed one; a failed one may be re-run).
                id_reuse_policy=reuse_policy if reuse else WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                # An open run with this id is reported by the server as "already started" together with its
                # run id, in both cases: that is how an idempotent start learns it found an existing run.
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
        except WorkflowAlreadyStartedError as err:
            if reuse:
                return StartedRun(workflow_id, err.run_id, workflow_type, existing=True)
            raise RunAlreadyExists(
                f"a run with id {workflow_id!r} is already running", workflow_id, err.run_id
            ) from None
        except RPCError as err:
            raise rpc_error(err, workflow_id) from None
        return StartedRun(handle.id, handle.result_run_id, workflow_type, existing=False)
