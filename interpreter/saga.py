"""Saga compensation: a stack of undo actions recorded as steps succeed."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from .cancellation import shielded
from .errors import DefinitionFailedAtRun, StepFailed
from .runtime import ActivityCall, RetrySpec, Runtime


def call_to_data(call: ActivityCall) -> dict[str, Any]:
    data = asdict(call)
    data["args"] = list(call.args)
    data["retry"]["non_retryable_errors"] = list(call.retry.non_retryable_errors)
    return data


def call_from_data(data: dict[str, Any]) -> ActivityCall:
    retry = RetrySpec(
        **{**data["retry"], "non_retryable_errors": tuple(data["retry"]["non_retryable_errors"])}
    )
    return ActivityCall(**{**data, "retry": retry})


@dataclass(frozen=True)
class PendingCompensation:
    """An undo action recorded after its step succeeded (arguments already rendered)."""

    step: str
    call: ActivityCall

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "activity": self.call.name, "args": list(self.call.args)}


class Saga:
    """Records compensations and runs them (reverse order or in parallel), shielded from cancellation."""

    def __init__(self) -> None:
        self.stack: list[PendingCompensation] = []
        self.executed: list[dict[str, Any]] = []

    def push(self, step: str, call: ActivityCall) -> None:
        self.stack.append(PendingCompensation(step, call))

    def push_data(self, record: dict[str, Any]) -> None:
        """Push a compensation handed over as data (from a batch child or across continue-as-new)."""
        self.push(record["step"], call_from_data(record["call"]))

    def as_data(self) -> list[dict[str, Any]]:
        return [{"step": item.step, "call": call_to_data(item.call)} for item in self.stack]

    async def compensate(self, runtime: Runtime, order: str) -> list[dict[str, Any]]:
        """Run every recorded compensation once; return a record per compensation."""
        pending, self.stack = self.stack, []
        if not pending:
            return self.executed

        async def run_one(item: PendingCompensation) -> dict[str, Any]:
            record: dict[str, Any] = {"step": item.step, "activity": item.call.name}
            try:
                record["result"] = await runtime.execute_activity(item.call)
                record["status"] = "completed"
            except (StepFailed, DefinitionFailedAtRun) as err:  # recorded; the other compensations still run
                record["status"] = "failed"
                record["error"] = {"type": err.type, "message": err.message}
            return record

        newest_first = list(reversed(pending))

        async def run_all() -> list[dict[str, Any]]:
            if order == "parallel":
                # All at once; started (and reported) newest first, like the reverse order. A failing
                # compensation is a record, not an exception: only a bug ends the wait early.
                tasks = [asyncio.ensure_future(run_one(item)) for item in newest_first]
                await runtime.wait(tasks, first_completed=False)
                for task in tasks:
                    if task.done() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
                return [task.result() for task in tasks]
            return [await run_one(item) for item in newest_first]

        self.executed.extend(await shielded(run_all))
        return self.executed
