"""``wait``: durations (literal and computed from the input), ``until`` a timestamp, long waits with time
skipping, and the timers as the Web UI shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError

from tests.interpreter.histories import assert_replays, events, of_type, summaries, wait_for_event
from tests.support import harness, time_skipping_runs

TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED

PAUSE = """
name: pause
steps:
  - id: pause
    wait: "{{ input.delay }}"
output: "{{ steps.pause }}"
"""

LITERAL = """
name: literal_pause
steps:
  - id: first
    wait: 300ms
  - id: second
    wait: {for: 0.2}
output: {first: "{{ steps.first.waited_seconds }}", second: "{{ steps.second.waited_seconds }}"}
"""

UNTIL = """
name: pause_until
steps:
  - id: until
    wait: {until: "{{ input.at }}"}
  - id: after
    set: {now: "{{ workflow.now }}"}
output: {waited: "{{ steps.until.waited_seconds }}", now: "{{ vars.now }}"}
"""

THREE_DAYS = """
name: three_days
steps:
  - set: {before: "{{ workflow.now }}"}
  - id: long
    wait: 3d
  - set: {after: "{{ workflow.now }}"}
output: {before: "{{ vars.before }}", after: "{{ vars.after }}", waited: "{{ steps.long.waited_seconds }}"}
"""


def timer_seconds(event: object) -> float:
    return event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()  # type: ignore[attr-defined]


async def test_literal_durations_start_timers_with_readable_summaries(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(LITERAL)
        handle = await h.start(name)
        assert await handle.result() == {"first": 0.3, "second": 0.2}
        history = await events(handle)
    timers = of_type(history, TIMER_STARTED)
    assert [timer_seconds(t) for t in timers] == [0.3, 0.2]
    assert summaries(history, TIMER_STARTED) == ["first: wait 300ms", "second: wait 200ms"]


@pytest.mark.parametrize(("delay", "seconds"), [("250ms", 0.25), (0.4, 0.4), ("PT0.1S", 0.1)])
async def test_duration_computed_from_the_input(
    client: Client, task_queue: str, delay: object, seconds: float
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(PAUSE)
        handle = await h.start(name, {"delay": delay})
        assert await handle.result() == {"waited_seconds": seconds}
        timers = of_type(await events(handle), TIMER_STARTED)
    assert [timer_seconds(t) for t in timers] == [seconds]


async def test_a_bad_computed_duration_fails_the_run_naming_the_step(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(PAUSE)
        handle = await h.start(name, {"delay": "soon"})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DefinitionError"
    assert cause.message.startswith("step 'pause': wait: 'soon' is not a duration (use seconds, '500ms'")
    assert cause.non_retryable


async def test_until_a_future_timestamp_waits_until_then(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(UNTIL)
        skipping = time_skipping_runs(h)  # an hour ahead: however slow the start, the time is still ahead
        at = datetime.now(UTC) + timedelta(hours=1)
        started = await skipping.start(name, {"at": at.isoformat()}, workflow_id=h.unique_id(name))
        result = await skipping.result(started.workflow_id, timeout=30)
        history = await events(client.get_workflow_handle(started.workflow_id))
    began = history[0].event_time.ToDatetime().replace(tzinfo=UTC)
    assert 3000 < result["waited"] <= (at - began).total_seconds()  # the time left when the wait began
    assert datetime.fromisoformat(result["now"]) >= at
    assert summaries(history, TIMER_STARTED) == [f"until: wait until {at.isoformat()}"]


@pytest.mark.parametrize("at", ["2001-02-03T04:05:06+00:00", "2001-02-03T04:05:06"])
async def test_until_a_past_timestamp_continues_at_once(client: Client, task_queue: str, at: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(UNTIL)
        handle = await h.start(name, {"at": at})
        result = await handle.result()
        history = await events(handle)
    assert result["waited"] == 0.0
    assert of_type(history, TIMER_STARTED) == []


async def test_until_something_not_a_timestamp_fails_the_run(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(UNTIL)
        handle = await h.start(name, {"at": "next tuesday"})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert (
        failure.value.cause.message == "step 'until': wait until: 'next tuesday' is not an ISO 8601 timestamp"
    )


async def test_a_three_day_wait_finishes_in_seconds_with_time_skipping(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(THREE_DAYS)
        skipping = time_skipping_runs(h)
        started = await skipping.start(name, workflow_id=h.unique_id(name))
        result = await skipping.result(started.workflow_id, timeout=30)  # three real days would time out
        history = await events(client.get_workflow_handle(started.workflow_id))
    assert result["waited"] == 259200.0
    workflow_elapsed = datetime.fromisoformat(result["after"]) - datetime.fromisoformat(result["before"])
    assert workflow_elapsed >= timedelta(days=3)
    assert summaries(history, TIMER_STARTED) == ["long: wait 3d"]


async def test_pending_timer_in_progress_and_cancel_during_wait(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(PAUSE)
        handle = await h.start(name, {"delay": "1h"})
        await wait_for_event(handle, TIMER_STARTED)
        progress = await h.runs.progress(handle.id)
        assert progress is not None
        assert progress["current_steps"] == ["pause"]
        [pending] = progress["pending_waits"]
        assert pending["kind"] == "timer" and pending["step"] == "pause" and pending["seconds"] == 3600.0
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        assert isinstance(failure.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        closed = await h.runs.progress(handle.id)
    assert closed is not None and closed["status"] == "cancelled" and closed["pending_waits"] == []
    await assert_replays(client, handle.id)
