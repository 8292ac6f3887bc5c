"""Offline attempts run in an activity context, as on a worker: ``activity.info()``, ``activity.heartbeat()``
and ``activity.is_cancelled()`` work inside mocks and real activity functions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from tdsl.interpreter.offline import run_offline_sync

START = datetime(2030, 1, 1, tzinfo=UTC)


def definition(**step: Any) -> dict[str, Any]:
    return {
        "name": "context_probe",
        "steps": [{"id": "work", "activity": "work", "args": ["{{ input }}"], "timeout": "1m", **step}],
        "output": "{{ steps.work }}",
    }


def test_an_activity_reads_its_attempt_and_heartbeats() -> None:
    def work(item: str) -> dict[str, Any]:
        info = activity.info()
        resumed = list(info.heartbeat_details)
        activity.heartbeat({"item": item, "attempt": info.attempt})
        if info.attempt < 3:
            raise ApplicationError(f"attempt {info.attempt} failed", type="NotYet")
        return {
            "attempt": info.attempt,
            "resumed_from": resumed,
            "workflow_id": info.workflow_id,
            "workflow_type": info.workflow_type,
            "activity_type": info.activity_type,
            "started": info.started_time.isoformat(),
            "start_to_close": info.start_to_close_timeout.total_seconds() if info.start_to_close_timeout
            else None,
        }

    result = run_offline_sync(
        definition(retry={"maximum_attempts": 5, "initial_interval": "1s", "backoff_coefficient": 2}),
        "box",
        activities={"work": work},
        start_time=START,
    )

    assert result.status == "completed", result.failure
    # The third attempt starts after backoffs of 1 s and 2 s of virtual time, and receives the details of
    # the last heartbeat of the attempt before it, as the server hands them over.
    assert result.output == {
        "attempt": 3,
        "resumed_from": [{"item": "box", "attempt": 2}],
        "workflow_id": "context_probe-offline",
        "workflow_type": "context_probe",
        "activity_type": "work",
        "started": (START + timedelta(seconds=3)).isoformat(),
        "start_to_close": 60.0,
    }
    assert [(c.attempt, c.outcome, c.heartbeats) for c in result.calls] == [
        (1, "failed", [[{"item": "box", "attempt": 1}]]),
        (2, "failed", [[{"item": "box", "attempt": 2}]]),
        (3, "completed", [[{"item": "box", "attempt": 3}]]),
    ]


def test_an_async_activity_sees_its_context_and_its_cancellation() -> None:
    seen: dict[str, Any] = {}

    async def work(item: str) -> str:
        seen["attempt"] = activity.info().attempt
        try:
            while True:
                activity.heartbeat(item)
                await asyncio.sleep(10)  # virtual time
        except asyncio.CancelledError:
            seen["cancelled"] = activity.is_cancelled()
            raise

    result = run_offline_sync(
        definition(timeout="1h"), "crate", activities={"work": work}, start_time=START, cancel_at="35s"
    )

    assert result.status == "cancelled"
    assert seen == {"attempt": 1, "cancelled": True}
    assert result.calls[0].outcome == "cancelled"
    assert result.calls[0].heartbeats == [["crate"]] * 4  # at 0, 10, 20 and 30 s


def test_outside_an_attempt_there_is_no_activity_context() -> None:
    def work(item: str) -> bool:
        return activity.in_activity()

    result = run_offline_sync(definition(), "x", activities={"work": work}, start_time=START)

    assert result.output is True
    assert not activity.in_activity()
