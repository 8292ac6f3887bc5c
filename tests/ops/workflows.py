"""Code-defined workflows for the operations tests (a module of their own: the sandbox passes it through)."""

from __future__ import annotations

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
    """Call ``process_batch`` without the arguments it needs: the activity fails with an ArgumentError."""

    @workflow.run
    async def run(self, value: dict[str, Any]) -> Any:
        return await workflow.execute_activity(
            "tally",
            args=[],
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
