"""Code-defined workflows for the operations tests (a module of their own: the sandbox passes it through)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy


@workflow.defn
class Double:
    """Double a number (no activity: the run only needs a worker that knows the type)."""

    @workflow.run
    async def run(self, value: int) -> int:
        return value * 2


@workflow.defn
class CallsWithoutArguments:
    """Call ``ops_noop`` without the argument it needs: the activity fails with an ArgumentError."""

    @workflow.run
    async def run(self, value: dict[str, Any]) -> Any:
        return await workflow.execute_activity(
            "ops_noop",
            args=[],
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


@workflow.defn
class FanOut:
    """Start ``count`` ``ops_noop`` activities at once (their start times show any rate limit)."""

    @workflow.run
    async def run(self, count: int) -> int:
        calls = [
            workflow.execute_activity("ops_noop", n, start_to_close_timeout=timedelta(seconds=30))
            for n in range(count)
        ]
        return len(await asyncio.gather(*calls))


@workflow.defn
class OneSecond:
    """One activity of about a second (``ops_pause``)."""

    @workflow.run
    async def run(self, seconds: float) -> float:
        return await workflow.execute_activity(
            "ops_pause", seconds, start_to_close_timeout=timedelta(seconds=30)
        )


async def ops_noop(n: int) -> int:
    return n


async def ops_pause(seconds: float) -> float:
    await asyncio.sleep(seconds)  # the activity's own work: a real pause
    return seconds


@workflow.defn
class KeepsFailing:
    """An activity that always fails, retried every second (a run that is not progressing)."""

    @workflow.run
    async def run(self) -> Any:
        return await workflow.execute_activity(
            "ops_fail",
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=1.0),
        )


async def ops_fail() -> None:
    raise RuntimeError("the ledger is locked")
