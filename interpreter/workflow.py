"""The one generic Temporal workflow that interprets every definition: a thin adapter.

It is registered as Temporal's *dynamic* workflow, so a run's workflow type is its definition's name while
this class interprets them all. Everything a run does is core semantics (:class:`~tdsl.interpreter.run.Run`:
the run loop, signals, queries, updates, the built-in ``__progress`` query); this class only decodes
payloads through the data converter (the input as a :class:`~tdsl.interpreter.payload.RunPayload`) and turns
core errors into ``ApplicationError``\\ s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from .core import RunFailedAfterCompensation
    from .errors import DefinitionFailedAtRun
    from .payload import RunPayload
    from .run import PROGRESS_QUERY, HandlerFailedInWorkflow, Run
    from .temporal_runtime import TemporalRuntime
    from .upgrade import UPGRADE_UPDATE

__all__ = ["PROGRESS_QUERY", "DSLWorkflow"]


def _decode(args: Sequence[RawValue]) -> Any:
    """A signal/update payload: nothing, the single argument, or a list of several."""
    converter = workflow.payload_converter()
    values = [converter.from_payload(arg.payload) for arg in args]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _input(args: Sequence[RawValue]) -> RunPayload:
    if len(args) != 1:
        raise DefinitionFailedAtRun("the workflow input must be one object with a 'definition' mapping")
    try:
        # JSON through the converter, then typed as the converter types it (``RunPayload.from_data``,
        # which builds a plain start without resolving the dataclass's type hints on every run)
        return RunPayload.from_data(workflow.payload_converter().from_payload(args[0].payload))
    except DefinitionFailedAtRun:
        raise
    except Exception as err:  # any shape the converter cannot make a run of: fail the run, never the task
        raise DefinitionFailedAtRun(f"the workflow input does not decode as a run: {err}") from None


def _failure(err: HandlerFailedInWorkflow) -> ApplicationError:
    if err.details is None:
        return ApplicationError(err.message, type=err.type, non_retryable=err.type == "DefinitionError")
    return ApplicationError(err.message, err.details, type=err.type)


@workflow.defn(dynamic=True)
class DSLWorkflow:
    """Interprets the definition it is started with."""

    @workflow.init
    def __init__(self, args: Sequence[RawValue]) -> None:
        self._run = Run(TemporalRuntime(), lambda: _input(args))

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> Any:
        try:
            return await self._run.execute()
        except DefinitionFailedAtRun as err:  # the input was not a valid run: fail it, never retry it
            raise ApplicationError(str(err), type="DefinitionError", non_retryable=True) from None
        except RunFailedAfterCompensation as failed:
            raise ApplicationError(
                str(failed),
                failed.record_details,  # {"error": <the cause's record>, "compensations": [...]}
                type=failed.record_type,
                non_retryable=True,
            ) from None

    @workflow.signal(dynamic=True)
    def on_signal(self, name: str, args: Sequence[RawValue]) -> None:
        self._run.signal(name, lambda: _decode(args))

    @workflow.query(dynamic=True)
    def on_query(self, name: str, args: Sequence[RawValue]) -> Any:
        try:
            return self._run.query(name, _decode(args))
        except HandlerFailedInWorkflow as err:
            raise _failure(err) from None

    def progress(self) -> dict[str, Any]:
        """What the built-in ``__progress`` query answers."""
        return self._run.progress()

    @workflow.update(dynamic=True)
    def on_update(self, name: str, args: Sequence[RawValue]) -> Any:
        try:
            return self._run.update(name, _decode(args))
        except HandlerFailedInWorkflow as err:
            raise _failure(err) from None

    @on_update.validator
    def validate_update(self, name: str, args: Sequence[RawValue]) -> None:
        try:
            self._run.validate_update(name, _decode(args))
        except HandlerFailedInWorkflow as err:
            raise _failure(err) from None

    @workflow.update(name=UPGRADE_UPDATE)
    def on_upgrade(self, offer: Any) -> Any:
        """Take an offered edited definition (see :mod:`tdsl.interpreter.upgrade`): the run moves to it at its
        next safe point."""
        try:
            return self._run.upgrade(offer)
        except HandlerFailedInWorkflow as err:
            raise _failure(err) from None

    @on_upgrade.validator
    def validate_upgrade(self, offer: Any) -> None:
        try:
            self._run.validate_upgrade(offer)
        except HandlerFailedInWorkflow as err:
            raise _failure(err) from None
