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

__all__ = ["PROGRESS_QUERY", "DSLWorkflow", "ForeignWorkflowType"]


class ForeignWorkflowType(Exception):
    """A workflow type this worker does not interpret: its start input carries no definition (a code-defined
    workflow started on a task queue the DSL worker shares). Raised from the workflow it fails the workflow
    *task*, never the run, so Temporal hands the task to another worker of the queue that knows the type."""


def _decode(args: Sequence[RawValue]) -> Any:
    """A signal/update payload: nothing, the single argument, or a list of several."""
    converter = workflow.payload_converter()
    values = [converter.from_payload(arg.payload) for arg in args]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


_NOT_DECODED = object()


def _start_value(args: Sequence[RawValue]) -> Any:
    """The single start argument as plain data; ``_NOT_DECODED`` when there is not exactly one argument or
    it is not data the converter reads."""
    if len(args) != 1:
        return _NOT_DECODED
    try:
        return workflow.payload_converter().from_payload(args[0].payload)
    except Exception:
        return _NOT_DECODED


def _is_definition_run(value: Any) -> bool:
    """Whether a start input is meant for this workflow: one object with a ``definition`` key."""
    return isinstance(value, dict) and "definition" in value


def _input(value: Any) -> RunPayload:
    try:
        # JSON through the converter, then typed as the converter types it (``RunPayload.from_data``,
        # which builds a plain start without resolving the dataclass's type hints on every run)
        return RunPayload.from_data(value)
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
        value = _start_value(args)
        # A type that is no definition (a code workflow on a shared task queue) is not ours to fail: its
        # task is left to the worker that registers it (see ``run``).
        self._foreign = not _is_definition_run(value)
        self._run = Run(TemporalRuntime(), lambda: _input(value))

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> Any:
        if self._foreign:
            raise ForeignWorkflowType(
                f"workflow type {workflow.info().workflow_type!r} is not a definition run (its input "
                "carries no definition); it needs a worker that registers it on task queue "
                f"{workflow.info().task_queue!r}"
            )
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
