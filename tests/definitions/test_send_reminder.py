"""definitions/send_reminder.yaml on the real dev server: waits a duration or until a time, then sends; and
the delayed start ("schedule in 24h") that works for any definition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tdsl.activities.examples import ledger
from tdsl.server.errors import InvalidInput
from tests.support import harness, time_skipping_runs

from .helpers import activities, events, first_event, timer_seconds, unique


def reminder(**changes: Any) -> dict[str, Any]:
    return {"user_id": "user-3", "message": "Your trial ends tomorrow", **changes}


async def test_sends_after_a_delay(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("send_reminder", reminder(delay="1s"))
        assert await h.runs.query(handle.id, "status") == "waiting"
        result = await handle.result()
        assert await h.runs.query(handle.id, "status") == "sent"
        history = await events(handle)
    assert result["user_id"] == "user-3" and result["status"] == "sent"
    assert timer_seconds(history) == [1.0]
    fired = first_event(history, EventType.EVENT_TYPE_TIMER_FIRED).event_id
    sent = next(a for a in activities(history) if a.name == "send_reminder")
    assert sent.scheduled_id > fired
    started = history[0].event_time.ToDatetime()
    assert sent.scheduled_at - started >= timedelta(seconds=1)
    assert [e.args for e in ledger.entries(handle.id)] == [("user-3", "Your trial ends tomorrow")]


async def test_sends_at_a_given_time(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        runs = time_skipping_runs(h)  # an hour ahead: however slow the start, the time is still ahead
        at = datetime.now(UTC) + timedelta(hours=1)
        started = await runs.start("send_reminder", reminder(at=at.isoformat()), workflow_id=unique("at"))
        result = await runs.result(started.workflow_id, timeout=30)
        history = await events(runs.handle(started.workflow_id))
    sent = next(a for a in activities(history) if a.name == "send_reminder")
    assert sent.scheduled_at.replace(tzinfo=UTC) >= at
    (timer,) = timer_seconds(history)
    started_at = history[0].event_time.ToDatetime().replace(tzinfo=UTC)
    assert 3000 < timer <= (at - started_at).total_seconds()  # the time left when the run reached the wait
    assert datetime.fromisoformat(result["sent_at"]) >= at


async def test_a_time_in_the_past_sends_at_once(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("send_reminder", reminder(at="2020-01-01T09:00:00Z"))
        result = await handle.result()
        history = await events(handle)
    assert result["status"] == "sent"
    assert timer_seconds(history) == []


async def test_default_delay_is_a_day(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        runs = time_skipping_runs(h)  # the day passes on the run's virtual clock
        started = await runs.start("send_reminder", reminder(), workflow_id=unique("reminder"))
        result = await runs.result(started.workflow_id, timeout=30)
        history = await events(runs.handle(started.workflow_id))
    assert timer_seconds(history) == [86400.0]
    started_at = history[0].event_time.ToDatetime().replace(tzinfo=UTC)
    assert datetime.fromisoformat(result["sent_at"]) - started_at >= timedelta(hours=24)
    assert ledger.calls(started.workflow_id) == ["send_reminder"]


async def test_delay_and_time_together_are_refused(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        with pytest.raises(InvalidInput):
            await h.runs.start("send_reminder", reminder(delay="5m", at="2030-01-01T00:00:00Z"))


@pytest.mark.parametrize(
    ("name", "run_input"),
    [
        ("send_reminder", reminder(delay=0)),
        (
            "order_processing",
            {
                "order_id": "delayed",
                "user_id": "u-1",
                "items": [{"sku": "PEN", "quantity": 1}],
                "total": 3.5,
                "email": "ada@example.com",
            },
        ),
    ],
)
async def test_any_definition_can_start_later(
    client: Client, task_queue: str, name: str, run_input: Any
) -> None:
    """The usage guide's "schedule in 24h": a start delay holds back the first workflow task."""
    delay = 1.0
    async with harness(client, task_queue) as h:
        handle = await h.start(name, run_input, workflow_id=unique(name), start_delay=delay)
        status = await h.runs.describe(handle.id)
        assert status["status"] == "RUNNING"
        assert ledger.calls(handle.id) == []
        await handle.result()
        history = await events(handle)
    start_time = datetime.fromisoformat(status["start_time"])
    execution_time = datetime.fromisoformat(status["execution_time"])
    assert execution_time - start_time == timedelta(seconds=delay)
    first_task = first_event(history, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
    assert first_task.event_time.ToDatetime().replace(tzinfo=UTC) >= execution_time
    assert ledger.calls(handle.id)
