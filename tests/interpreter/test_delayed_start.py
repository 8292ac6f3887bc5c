"""A start delay ("schedule in 24h") works for any definition: the run exists at once and begins later."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tdsl.activities.examples import ledger
from tests.interpreter.histories import events, of_type
from tests.support import harness, time_skipping_runs

STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
TASK_STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED

REMINDER = """
name: later
steps:
  - id: remind
    activity: send_reminder
    args: ["{{ input.user_id }}", "{{ input.message }}"]
output: "{{ steps.remind }}"
"""

ORDER = {
    "order_id": "D-1",
    "user_id": "user-9",
    "items": [{"sku": "BOOK-1", "quantity": 1}],
    "total": 12.5,
    "email": "grace@example.com",
}


async def test_a_delayed_run_begins_after_its_delay(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(REMINDER)
        started = await h.runs.start(
            name, {"user_id": "u1", "message": "hi"}, start_delay=1.5, workflow_id=h.unique_id(name)
        )
        described = await h.runs.describe(started.workflow_id)
        assert described["status"] == "RUNNING"
        assert ledger.calls(started.workflow_id) == []
        result = await h.runs.result(started.workflow_id, timeout=30)
        history = await events(client.get_workflow_handle(started.workflow_id))
    assert result == {"user_id": "u1", "message": "hi", "status": "sent"}
    start_time = described["start_time"]
    execution_time = described["execution_time"]
    assert start_time is not None and execution_time is not None
    delay = datetime.fromisoformat(execution_time) - datetime.fromisoformat(start_time)
    assert timedelta(seconds=1.4) <= delay <= timedelta(seconds=1.6)
    [first] = of_type(history, STARTED)
    backoff = first.workflow_execution_started_event_attributes.first_workflow_task_backoff.ToTimedelta()
    assert backoff == timedelta(seconds=1.5)
    first_task = of_type(history, TASK_STARTED)[0].event_time.ToDatetime()
    assert first_task - first.event_time.ToDatetime() >= timedelta(seconds=1.5)


async def test_any_definition_can_be_scheduled_a_day_ahead(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        skipping = time_skipping_runs(h)
        started = await skipping.start(
            "order_processing", ORDER, start_delay=86400, workflow_id=h.unique_id("order")
        )
        described = await h.runs.describe(started.workflow_id)
        result = await skipping.result(started.workflow_id, timeout=30)  # a real day would time out
    assert result["status"] == "completed" and result["order_id"] == "D-1"
    assert described["execution_time"] is not None and described["start_time"] is not None
    delay = datetime.fromisoformat(described["execution_time"]) - datetime.fromisoformat(
        described["start_time"]
    )
    assert delay == timedelta(days=1)
    assert ledger.calls(started.workflow_id) == ["charge_payment", "reserve_inventory", "send_email"]
