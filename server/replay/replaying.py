"""Replay histories against today's interpreter, with the runner and workflows workers use.

No server is needed: Temporal's :class:`~temporalio.worker.Replayer` feeds each history to
:class:`~tdsl.interpreter.DSLWorkflow` in the worker's sandbox (``workflow_runner()``), one history after the
other, and reports whether the commands the code issues match the recorded ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from functools import cache

from temporalio.client import WorkflowHistory
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.worker import Replayer

from tdsl.interpreter import DSLWorkflow, workflow_runner

from .divergence import Divergence, find_divergence
from .recording import RecordingRunner

__all__ = ["Labelled", "ReplayOutcome", "replay_histories"]


@dataclass(frozen=True)
class Labelled:
    """A history and where it came from (a file path, or a run on a server)."""

    source: str
    history: WorkflowHistory


@dataclass(frozen=True)
class ReplayOutcome:
    """One history's replay: it replays (``divergence is None``) or it does not."""

    source: str
    workflow_id: str
    run_id: str
    workflow_type: str
    events: int
    divergence: Divergence | None = None

    @property
    def ok(self) -> bool:
        return self.divergence is None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "workflow_type": self.workflow_type,
            "events": self.events,
            "ok": self.ok,
            "divergence": self.divergence.as_dict() if self.divergence else None,
        }


@cache
def _quiet_runtime() -> Runtime:
    """A runtime whose core logs only errors: a divergence is reported once, explained, not also as the
    core's warning about the failed workflow task."""
    quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=quiet), metrics=None))


def _workflow_type(history: WorkflowHistory) -> str:
    if not history.events:
        return ""
    return history.events[0].workflow_execution_started_event_attributes.workflow_type.name


async def _as_async(items: Iterable[Labelled] | AsyncIterable[Labelled]) -> AsyncIterator[Labelled]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


async def replay_histories(
    histories: Iterable[Labelled] | AsyncIterable[Labelled],
) -> AsyncIterator[ReplayOutcome]:
    """Replay each history in turn and yield its outcome as soon as it is known."""
    runner = RecordingRunner(workflow_runner())
    replayer = Replayer(workflows=[DSLWorkflow], workflow_runner=runner, runtime=_quiet_runtime())
    pending: list[Labelled] = []

    async def feed() -> AsyncIterator[WorkflowHistory]:
        async for item in _as_async(histories):
            pending.append(item)
            yield item.history

    async with replayer.workflow_replay_iterator(feed()) as results:
        async for result in results:
            item = pending.pop(0)  # results come in the order the histories went in
            history = result.history
            commands = runner.take(history.run_id)
            divergence = None
            if result.replay_failure is not None:
                divergence = find_divergence(history.events, commands, result.replay_failure)
            yield ReplayOutcome(
                item.source, history.workflow_id, history.run_id, _workflow_type(history),
                len(history.events), divergence,
            )
