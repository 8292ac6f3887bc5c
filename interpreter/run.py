"""One workflow run as the core sees it: the run loop and every way the outside world talks to it.

:class:`Run` is what an engine hosts. It builds the interpreter from the run's input, runs the definition
(or a ``foreach`` batch), carries out continue-as-new through the runtime, and answers signals, queries,
updates (validator and handler) and the built-in progress query. It is plain Python: the Temporal adapter
(:mod:`tdsl.interpreter.workflow`) maps it onto ``temporalio.workflow`` and translates
:class:`HandlerFailedInWorkflow` into ``ApplicationError``; offline runs (:mod:`tdsl.interpreter.offline`)
call it directly, so both give the same answers, rejections and errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from tdsl.dsl_schema.expressions import ExpressionError, render
from tdsl.dsl_schema.models import Definition
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.errors import RunError

from .core import Interpreter
from .errors import ContinueAsNew, DefinitionFailedAtRun
from .payload import RunPayload
from .runtime import Runtime
from .upgrade import UPGRADE_UPDATE, UpgradeRejected

__all__ = ["PROGRESS_QUERY", "HandlerFailedInWorkflow", "Run", "definition_model"]

PROGRESS_QUERY = "__progress"
"""The built-in query every run answers (see :meth:`Run.progress`)."""


class HandlerFailedInWorkflow(RunError):
    """A query or update could not be answered. ``type`` names the reason, and is the Temporal failure type
    (``UnknownQuery``, ``UnknownUpdate``, ``InvalidPayload``, ``Rejected``, ``ExpressionError``,
    ``DefinitionFailedAtRun``); ``details`` (the schema violations of an invalid payload) travel with it."""

    def __init__(self, message: str, type: str, details: Any = None) -> None:
        super().__init__(message)
        self.type = type
        self.details = details

    @property
    def record_type(self) -> str:
        return self.type

    @property
    def record_details(self) -> Any:
        return self.details




_MODELS: dict[str, Definition] = {}
MODEL_CACHE_SIZE = 64
"""Validated definitions kept per process (a worker runs the same few definitions over and over)."""


def definition_model(data: dict[str, Any]) -> Definition:
    """The validated model of definition ``data``, shared by every run of the same definition in this
    process (the models are never changed after validation). The key is the definition's full text, so a
    different definition (another version, any changed character) is validated anew; a definition that
    fails validation is never kept. Bounded: the cache starts afresh when full."""
    key = repr(data)  # exact for JSON data: quotes tell "1" from 1, and 1.0 from 1; keeps the key order
    model = _MODELS.get(key)
    if model is None:
        model = Definition.model_validate(data)
        if len(_MODELS) >= MODEL_CACHE_SIZE:
            _MODELS.clear()
        _MODELS[key] = model
    return model


class Run:
    """The core of one run (its continue-as-new successors included when the engine restarts in process).

    Construction never raises: an input that is not a valid run (``setup_error``) fails the run when it
    executes, never the engine's first task (which would retry forever)."""

    def __init__(self, runtime: Runtime, payload: RunPayload | Callable[[], RunPayload]) -> None:
        self.runtime = runtime
        self.setup_error: str | None = None
        self._interp: Interpreter | None = None
        try:
            self._interp = self._interpreter(payload() if callable(payload) else payload)
        except (DefinitionFailedAtRun, ValidationError) as err:
            self.setup_error = f"invalid workflow input: {err}"

    def _interpreter(self, payload: RunPayload) -> Interpreter:
        definition = definition_model(payload.definition)
        interp = Interpreter(self.runtime, payload, definition)
        interp.prepare()
        return interp

    @property
    def interp(self) -> Interpreter:
        """The interpreter of the current run; a :class:`DefinitionFailedAtRun` when the input was invalid."""
        if self._interp is None:
            raise DefinitionFailedAtRun(self.setup_error or "run not initialised")
        return self._interp

    # ----------------------------------------------------------------- the run loop
    async def execute(self) -> Any:
        """Run to the end: the definition's output (or a batch's outcome). Raises
        :class:`RunFailedAfterCompensation` after compensation, :class:`DefinitionFailedAtRun` for an invalid
        input, ``CancelledError`` when cancelled. Continue-as-new goes through the runtime; when the runtime
        restarts in this process, the loop goes on with the new input."""
        while True:
            interp = self.interp
            try:
                if interp.payload.fragment is not None:
                    return await interp.execute_fragment()
                return await interp.execute()
            except ContinueAsNew as continuing:
                payload = await self.runtime.continue_as_new(
                    functools.partial(
                        interp.continue_as_new_payload, continuing.step_index, continuing.iterations
                    ),
                    # an upgrade also updates the memo (new version and sha256, the upgrade history)
                    memo=interp.upgrade.memo,
                )
                self._interp = self._interpreter(payload)

    # ----------------------------------------------------------------- signals
    def signal(self, name: str, decode: Callable[[], Any]) -> None:
        """Deliver a signal (see :meth:`Interpreter.accept_signal`); ignored before the run exists."""
        if self._interp is not None:
            self._interp.accept_signal(name, decode)

    # ----------------------------------------------------------------- queries
    def query(self, name: str, payload: Any = None) -> Any:
        """Answer query ``name``: the built-in progress, or a declared query's ``value`` rendered against
        the run's state (read-only)."""
        interp = self._handler_interp()
        if name == PROGRESS_QUERY:
            return self.progress()
        declared = interp.definition.queries or {}
        if name not in declared:
            raise HandlerFailedInWorkflow(
                f"query {name!r} is not declared by {interp.definition.name}", "UnknownQuery"
            )
        try:
            return render(declared[name].value, interp.context(interp.state.root))
        except ExpressionError as err:
            raise HandlerFailedInWorkflow(f"query {name!r}: {err}", "ExpressionError") from None

    def progress(self) -> dict[str, Any]:
        """What the built-in ``__progress`` query answers."""
        interp = self._handler_interp()
        state = interp.state
        return {
            "definition": interp.definition.name,
            "version": interp.definition.version,
            "status": state.status,
            "current_steps": list(state.progress.current),
            "completed_steps": list(state.progress.completed),
            "completed_count": state.progress.completed_count,
            "pending_waits": list(state.progress.pending_waits),
            "pending_signals": [name for name, _ in state.signal_buffer],
            "ignored_signals": list(state.ignored_signals),
            "compensations": list(interp.saga.executed),
            "upgrade": interp.upgrade.progress(),
        }

    # ----------------------------------------------------------------- updates
    def validate_update(self, name: str, payload: Any) -> None:
        """Accept or reject update ``name`` before it runs (read-only): it must be declared, its payload
        must match its ``schema``, and its ``validate`` expression must hold."""
        if name == UPGRADE_UPDATE:
            return self.validate_upgrade(payload)
        interp = self._handler_interp()
        decl = (interp.definition.updates or {}).get(name)
        if decl is None:
            raise HandlerFailedInWorkflow(
                f"update {name!r} is not declared by {interp.definition.name}", "UnknownUpdate"
            )
        errors = schema_errors(decl.schema_, payload)
        if errors:
            listed = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
            raise HandlerFailedInWorkflow(
                f"update {name!r} payload is invalid: {listed}", "InvalidPayload", errors
            )
        if decl.validate_ is not None:
            try:
                valid = render(decl.validate_, interp.context(interp.state.root, payload=payload))
            except ExpressionError as err:
                raise HandlerFailedInWorkflow(f"update {name!r}: {err}", "ExpressionError") from None
            if not valid:
                message = decl.message or f"update {name!r} rejected by its validation"
                raise HandlerFailedInWorkflow(message, "Rejected")

    def update(self, name: str, payload: Any) -> Any:
        """Run accepted update ``name``: set its variables, return its ``return`` value."""
        if name == UPGRADE_UPDATE:
            return self.upgrade(payload)
        interp = self._handler_interp()
        decl = (interp.definition.updates or {}).get(name)
        if decl is None:
            raise HandlerFailedInWorkflow(
                f"update {name!r} is not declared by {interp.definition.name}", "UnknownUpdate"
            )
        try:
            if decl.set:
                context = interp.context(interp.state.root, payload=payload)
                interp.state.vars.update({key: render(value, context) for key, value in decl.set.items()})
            return render(decl.return_, interp.context(interp.state.root, payload=payload))
        except ExpressionError as err:
            raise HandlerFailedInWorkflow(f"update {name!r}: {err}", "ExpressionError") from None

    # ----------------------------------------------------------------- upgrades (see .upgrade)
    def validate_upgrade(self, offer: Any) -> None:
        """Accept or reject an offered definition (read-only): see :meth:`Upgrade.validate`."""
        interp = self._handler_interp()
        try:
            interp.upgrade.validate(offer, interp.payload, interp.state.status)
        except UpgradeRejected as err:
            raise HandlerFailedInWorkflow(str(err), "Rejected") from None

    def upgrade(self, offer: Any) -> dict[str, Any]:
        """Take an accepted offer: the run moves to it at its next safe point."""
        interp = self._handler_interp()
        try:
            return interp.upgrade.accept(interp.upgrade.validate(offer, interp.payload, interp.state.status))
        except UpgradeRejected as err:
            raise HandlerFailedInWorkflow(str(err), "Rejected") from None

    def _handler_interp(self) -> Interpreter:
        if self._interp is None:
            raise HandlerFailedInWorkflow(self.setup_error or "run not initialised", "DefinitionError")
        return self._interp
