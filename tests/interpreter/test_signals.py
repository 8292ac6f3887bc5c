"""Signals: ``wait_for`` any of several declared signals with a timeout, per-signal steps, payloads in
expressions, early signals buffered, and payloads that fail their schema (rejected by the caller; recorded
and ignored when they reach the run anyway)."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.common import RawValue

from tdsl.server.errors import InvalidPayload, UnknownHandler
from tests.interpreter.histories import assert_replays, events, of_type, summaries, wait_for_event
from tests.support import harness

SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
TIMER_FIRED = EventType.EVENT_TYPE_TIMER_FIRED

DECIDE = """
name: decide
signals:
  approve: {}
  reject:
    description: Reject with a reason.
    schema:
      type: object
      required: [reason]
      properties: {reason: {type: string, minLength: 1}}
      additionalProperties: false
vars: {outcome: pending}
steps:
  - id: pause
    wait: "{{ input.pause | default(0) }}"
  - id: decision
    wait_for:
      signals:
        approve:
          - set: {outcome: approved}
        reject:
          - set: {outcome: "rejected: {{ signal.payload.reason }}", by: "{{ signal.name }}"}
      timeout: "{{ input.timeout }}"
      on_timeout:
        - set: {outcome: timeout}
output:
  outcome: "{{ vars.outcome }}"
  decision: "{{ steps.decision }}"
  signals: "{{ signals }}"
"""

TWO_WAITS = """
name: two_waits
signals:
  note: {schema: {type: string}}
steps:
  - wait: "{{ input.pause }}"
  - id: first
    wait_for: {signals: [note]}
  - id: second
    wait_for: {signals: [note]}
output: ["{{ steps.first.payload }}", "{{ steps.second.payload }}", "{{ signals.note }}"]
"""


async def test_first_of_several_signals_runs_its_steps_with_the_payload(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        handle = await h.start(name, {"timeout": "1h"})
        await wait_for_event(handle, TIMER_STARTED)
        await h.runs.signal(handle.id, "reject", {"reason": "too expensive"})
        result = await handle.result()
        history = await events(handle)
    assert result == {
        "outcome": "rejected: too expensive",
        "decision": {"signal": "reject", "payload": {"reason": "too expensive"}, "timed_out": False},
        "signals": {"reject": {"reason": "too expensive"}},
    }
    # the timeout is a timer whose summary names the step and the signals it waits for
    assert summaries(history, TIMER_STARTED) == ["decision: wait for approve | reject (timeout 1h)"]


async def test_a_signal_without_payload(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        handle = await h.start(name, {"timeout": 30})
        await h.runs.signal(handle.id, "approve")
        result = await handle.result()
    assert result["outcome"] == "approved"
    assert result["decision"] == {"signal": "approve", "payload": None, "timed_out": False}
    assert result["signals"] == {"approve": None}


async def test_timeout_runs_the_on_timeout_steps(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        result = await h.execute(name, {"timeout": "300ms"})
    assert result == {
        "outcome": "timeout",
        "decision": {"signal": None, "payload": None, "timed_out": True},
        "signals": {},
    }


async def test_a_signal_sent_before_the_wait_is_not_lost(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        handle = await h.start(name, {"pause": 0.5, "timeout": 30})
        await h.runs.signal(handle.id, "reject", {"reason": "early"})
        result = await handle.result()
        history = await events(handle)
    assert result["outcome"] == "rejected: early"
    [signaled] = of_type(history, SIGNALED)
    [fired] = of_type(history, TIMER_FIRED)
    assert signaled.event_id < fired.event_id  # it arrived while the run still paused before its wait


async def test_buffered_signals_are_consumed_in_arrival_order(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(TWO_WAITS)
        handle = await h.start(name, {"pause": 0.5})
        await h.runs.signal(handle.id, "note", "one")
        await h.runs.signal(handle.id, "note", "two")
        assert await handle.result() == ["one", "two", "two"]
    await assert_replays(client, handle.id)


async def test_the_caller_rejects_a_payload_that_fails_its_schema(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        handle = await h.start(name, {"timeout": 30})
        with pytest.raises(InvalidPayload) as invalid:
            await h.runs.signal(handle.id, "reject", {"reason": ""})
        with pytest.raises(UnknownHandler) as unknown:
            await h.runs.signal(handle.id, "aprove")
        await h.runs.signal(handle.id, "approve")
        assert (await handle.result())["outcome"] == "approved"
        history = await events(handle)
    assert invalid.value.errors == [
        {"path": "$.reason", "message": "'' should be non-empty", "validator": "minLength"}
    ]
    assert str(unknown.value) == "'decide' declares no signal 'aprove' (did you mean 'approve'?)"
    assert len(of_type(history, SIGNALED)) == 1  # only the valid one was sent


async def test_invalid_signals_that_reach_the_run_are_recorded_and_ignored(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECIDE)
        handle = await h.start(name, {"timeout": 30})
        await handle.signal("reject", {"reason": 42})
        await handle.signal("reject", "no reason")
        await handle.signal("unknown_signal", {"x": 1})
        undecodable = Payload(metadata={"encoding": b"binary/secret"}, data=b"\x00\x01")
        await handle.signal("reject", RawValue(undecodable))
        await wait_for_event(handle, SIGNALED, count=4)
        progress: dict[str, Any] | None = await h.runs.progress(handle.id)
        assert progress is not None
        assert progress["status"] == "running"
        assert progress["current_steps"] == ["decision"]
        await h.runs.signal(handle.id, "reject", {"reason": "valid at last"})
        result = await handle.result()
    await assert_replays(client, handle.id)
    ignored = progress["ignored_signals"]
    assert [(i["signal"], i["reason"]) for i in ignored] == [
        ("reject", "payload failed its schema"),
        ("reject", "payload failed its schema"),
        ("unknown_signal", "signal not declared"),
        ("reject", "undecodable payload"),
    ]
    assert ignored[0]["errors"] == [
        {"path": "$.reason", "message": "42 is not of type 'string'", "validator": "type"}
    ]
    assert ignored[1]["errors"][0]["message"] == "'no reason' is not of type 'object'"
    assert "binary/secret" in ignored[3]["error"]
    assert result["outcome"] == "rejected: valid at last"
    assert result["signals"] == {"reject": {"reason": "valid at last"}}
