"""A workflow runner that keeps the commands each replayed run issues.

Temporal's replayer reports *that* a run diverged; to say *where* in the DSL's terms, replay keeps what
today's interpreter asked for and compares it with the history's events (:mod:`.divergence`). The runner
wraps the one workers use (``tdsl.interpreter.workflow_runner()``: same sandbox, same passthrough modules),
so a replay runs exactly the code a worker would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_commands import WorkflowCommand
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner

__all__ = ["RecordingRunner"]


class _RecordingInstance(WorkflowInstance):
    """Delegates to the real instance and appends the commands of every activation it completes."""

    def __init__(self, inner: WorkflowInstance, commands: list[WorkflowCommand]) -> None:
        self._inner = inner
        self._commands = commands

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        completion = self._inner.activate(act)
        if completion.HasField("successful"):
            self._commands.extend(completion.successful.commands)
        return completion

    def get_serialization_context(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.get_serialization_context(*args, **kwargs)

    def get_external_store_context(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.get_external_store_context(*args, **kwargs)

    def get_info(self) -> Any:
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:
        return self._inner.get_thread_id()

    def __getattr__(self, name: str) -> Any:  # anything a later SDK asks of an instance
        return getattr(self._inner, name)


class RecordingRunner(WorkflowRunner):
    """Runs workflows with ``inner`` and keeps their commands by run id (take them with :meth:`take`)."""

    def __init__(self, inner: WorkflowRunner) -> None:
        self._inner = inner
        self._commands: dict[str, list[WorkflowCommand]] = {}

    def prepare_workflow(self, defn: Any) -> None:  # the SDK's workflow definition record
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        commands = self._commands.setdefault(det.info.run_id, [])
        commands.clear()  # a fresh instance replays the run from its start
        return _RecordingInstance(self._inner.create_instance(det), commands)

    def set_worker_level_failure_exception_types(self, types: Sequence[type[BaseException]]) -> None:
        self._inner.set_worker_level_failure_exception_types(types)

    def take(self, run_id: str) -> list[WorkflowCommand]:
        """The commands the run issued, in order; forgotten afterwards."""
        return self._commands.pop(run_id, [])
