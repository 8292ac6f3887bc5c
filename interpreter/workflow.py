"""The one generic Temporal workflow that interprets every definition.

It is registered as Temporal's *dynamic* workflow, so a run's workflow type is its definition's name while
this class interprets them all. Its input is a :class:`~tdsl.interpreter.core.RunPayload` as plain data (the
validated definition travels with the run, so it never reads files). Signals, queries and updates declared in
YAML are served by dynamic handlers; ``__progress`` is a built-in query every run answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from tdsl.dsl_schema.expressions import ExpressionError, render
    from tdsl.dsl_schema.models import Definition
    from tdsl.dsl_schema.payloads import schema_errors

    from .core import Interpreter, RunFailed, RunPayload
    from .errors import ContinueAsNew, DefinitionError
    from .temporal_runtime import TemporalRuntime

PROGRESS_QUERY = "__progress"


def _decode(args: Sequence[RawValue]) -> Any:
    """A signal/update payload: nothing, the single argument, or a list of several."""
    converter = workflow.payload_converter()
    values = [converter.from_payload(arg.payload) for arg in args]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _definition_failure(message: str) -> ApplicationError:
    return ApplicationError(message, type="DefinitionError", non_retryable=True)


@workflow.defn(dynamic=True)
class DSLWorkflow:
    """Interprets the definition it is started with."""

    @workflow.init
    def __init__(self, args: Sequence[RawValue]) -> None:
        self._setup_error: str | None = None
        self._interp: Interpreter | None = None
        try:
            payload = RunPayload.from_data(_decode(args))
            definition = Definition.model_validate(payload.definition)
        except (DefinitionError, ValidationError) as err:
            # Raised from run() so the run fails (non-retryable) instead of retrying its first task forever.
            self._setup_error = f"invalid workflow input: {err}"
            return
        self._interp = Interpreter(TemporalRuntime(), payload, definition)
        self._interp.prepare()

    @property
    def interp(self) -> Interpreter:
        if self._interp is None:
            raise _definition_failure(self._setup_error or "run not initialised")
        return self._interp

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> Any:
        interp = self.interp
        try:
            if interp.payload.fragment is not None:
                return await interp.execute_fragment()
            return await interp.execute()
        except ContinueAsNew as continuing:
            step_index, iterations = continuing.step_index, continuing.iterations
            await interp.runtime.continue_as_new(
                lambda: interp.continue_as_new_payload(step_index, iterations)
            )
            raise  # not reached: continuing as new ends this run
        except RunFailed as failed:
            raise ApplicationError(
                str(failed),
                {"error": failed.error.as_dict(), "compensations": failed.compensations},
                type=failed.error.type,
                non_retryable=True,
            ) from None

    # ------------------------------------------------------------------ signals
    @workflow.signal(dynamic=True)
    def on_signal(self, name: str, args: Sequence[RawValue]) -> None:
        if self._interp is None:
            return
        self._interp.accept_signal(name, lambda: _decode(args))

    # ------------------------------------------------------------------ queries
    @workflow.query(dynamic=True)
    def on_query(self, name: str, args: Sequence[RawValue]) -> Any:
        interp = self.interp
        if name == PROGRESS_QUERY:
            return self.progress()
        declared = interp.definition.queries or {}
        if name not in declared:
            raise ApplicationError(
                f"query {name!r} is not declared by {interp.definition.name}", type="UnknownQuery"
            )
        try:
            return render(declared[name].value, interp.context(interp.state.root))
        except ExpressionError as err:
            raise ApplicationError(f"query {name!r}: {err}", type="ExpressionError") from None

    def progress(self) -> dict[str, Any]:
        interp = self.interp
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
        }

    # ------------------------------------------------------------------ updates
    @workflow.update(dynamic=True)
    def on_update(self, name: str, args: Sequence[RawValue]) -> Any:
        interp = self.interp
        decl = (interp.definition.updates or {})[name]
        payload = _decode(args)
        try:
            if decl.set:
                context = interp.context(interp.state.root, payload=payload)
                interp.state.vars.update({key: render(value, context) for key, value in decl.set.items()})
            return render(decl.return_, interp.context(interp.state.root, payload=payload))
        except ExpressionError as err:
            raise ApplicationError(f"update {name!r}: {err}", type="ExpressionError") from None

    @on_update.validator
    def validate_update(self, name: str, args: Sequence[RawValue]) -> None:
        interp = self.interp
        decl = (interp.definition.updates or {}).get(name)
        if decl is None:
            raise ApplicationError(
                f"update {name!r} is not declared by {interp.definition.name}", type="UnknownUpdate"
            )
        payload = _decode(args)
        errors = schema_errors(decl.schema_, payload)
        if errors:
            listed = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
            raise ApplicationError(
                f"update {name!r} payload is invalid: {listed}", errors, type="InvalidPayload"
            )
        if decl.validate_ is not None:
            try:
                valid = render(decl.validate_, interp.context(interp.state.root, payload=payload))
            except ExpressionError as err:
                raise ApplicationError(f"update {name!r}: {err}", type="ExpressionError") from None
            if not valid:
                raise ApplicationError(
                    decl.message or f"update {name!r} rejected by its validation", type="Rejected"
                )
