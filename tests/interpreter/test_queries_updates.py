"""Queries (named read-only views of the run state) and updates (validated, may set variables and return a
value; a rejected update leaves no trace in the history)."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

from tdsl.interpreter import RunPayload
from tdsl.server.errors import EngineError, InvalidPayload, UnknownHandler
from tests.interpreter.histories import assert_replays, events, type_names, wait_for_event
from tests.support import harness

TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED

COUNTER = """
name: counter
version: 3
input:
  type: object
  properties: {limit: {type: integer}}
signals:
  finish: {}
vars: {count: 0, log: []}
queries:
  count:
    description: The current count.
    value: "{{ vars.count }}"
  overview:
    value:
      count: "{{ vars.count }}"
      limit: "{{ input.limit }}"
      finished: "{{ 'finish' in signals }}"
      run: "{{ workflow.name }} v{{ workflow.version }}"
  sneaky:
    value: "{{ vars.log.append('changed') }}"
  broken:
    value: "{{ vars.missing }}"
updates:
  add:
    schema:
      type: object
      required: [amount]
      properties: {amount: {type: integer}}
      additionalProperties: false
    validate: "{{ payload.amount > 0 and vars.count + payload.amount <= input.limit }}"
    message: amount must be positive and keep the count within the limit
    set:
      count: "{{ vars.count + payload.amount }}"
      log: "{{ vars.log + [payload.amount] }}"
    return: {count: "{{ vars.count }}", log: "{{ vars.log }}"}
  reset:
    set: {count: 0}
  explode:
    set: {count: "{{ 1 // 0 }}"}
steps:
  - id: idle
    wait_for: {signals: [finish], timeout: 1h}
output: {count: "{{ vars.count }}", log: "{{ vars.log }}"}
"""

UPDATE_EVENTS = {
    "WORKFLOW_EXECUTION_UPDATE_ACCEPTED",
    "WORKFLOW_EXECUTION_UPDATE_COMPLETED",
    "WORKFLOW_EXECUTION_UPDATE_ADMITTED",
    "WORKFLOW_EXECUTION_UPDATE_REJECTED",
}


def update_events(names: list[str]) -> list[str]:
    return [n for n in names if n in UPDATE_EVENTS]


async def test_queries_read_the_run_state_and_still_answer_after_the_run_closed(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        handle = await h.start(name, {"limit": 10})
        await wait_for_event(handle, TIMER_STARTED)
        assert await h.runs.query(handle.id, "count") == 0
        assert await h.runs.update(handle.id, "add", {"amount": 4}) == {"count": 4, "log": [4]}
        assert await h.runs.query(handle.id, "overview") == {
            "count": 4,
            "limit": 10,
            "finished": False,
            "run": "counter v3",
        }
        await h.runs.signal(handle.id, "finish")
        assert await handle.result() == {"count": 4, "log": [4]}
        assert await h.runs.query(handle.id, "count") == 4
        assert (await h.runs.query(handle.id, "overview"))["finished"] is True


async def test_queries_cannot_change_the_run_and_report_their_errors(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        handle = await h.start(name, {"limit": 10})
        await wait_for_event(handle, TIMER_STARTED)
        with pytest.raises(EngineError) as sneaky:
            await h.runs.query(handle.id, "sneaky")
        with pytest.raises(EngineError) as broken:
            await h.runs.query(handle.id, "broken")
        with pytest.raises(UnknownHandler) as unknown:
            await h.runs.query(handle.id, "cont")
        await h.runs.signal(handle.id, "finish")
        assert await handle.result() == {"count": 0, "log": []}
    assert "query 'sneaky': refused by the sandbox" in str(sneaky.value)
    assert "query 'broken': undefined: 'dict object' has no attribute 'missing'" in str(broken.value)
    assert str(unknown.value) == "'counter' declares no query 'cont' (did you mean 'count'?)"


async def test_updates_set_variables_and_return_a_value(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        handle = await h.start(name, {"limit": 10})
        assert await h.runs.update(handle.id, "add", {"amount": 2}) == {"count": 2, "log": [2]}
        assert await handle.execute_update("add", {"amount": 3}) == {"count": 5, "log": [2, 3]}
        assert await h.runs.update(handle.id, "reset") is None
        assert await h.runs.query(handle.id, "count") == 0
        await h.runs.signal(handle.id, "finish")
        assert await handle.result() == {"count": 0, "log": [2, 3]}
        history = type_names(await events(handle))
    assert update_events(history).count("WORKFLOW_EXECUTION_UPDATE_COMPLETED") == 3
    await assert_replays(client, handle.id)


async def test_invalid_updates_are_rejected_without_touching_the_history(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        handle = await h.start(name, {"limit": 10})
        await wait_for_event(handle, TIMER_STARTED)
        before = type_names(await events(handle))
        # rejected by the caller before anything is sent
        with pytest.raises(InvalidPayload) as by_caller:
            await h.runs.update(handle.id, "add", {"amount": "five"})
        # rejected by the run's validator: wrong payload, failed validation, undeclared update
        rejections: list[ApplicationError] = []
        for update, payload in [
            ("add", {"amount": "five"}),
            ("add", {"amount": 11}),
            ("add", {"amount": -1}),
            ("nope", {}),
        ]:
            with pytest.raises(WorkflowUpdateFailedError) as failed:
                await handle.execute_update(update, payload)
            assert isinstance(failed.value.cause, ApplicationError)
            rejections.append(failed.value.cause)
        with pytest.raises(InvalidPayload) as through_service:
            await h.runs.update(handle.id, "add", {"amount": 11})
        after = type_names(await events(handle))
        assert await h.runs.query(handle.id, "count") == 0
        await h.runs.signal(handle.id, "finish")
        assert await handle.result() == {"count": 0, "log": []}
    assert after == before
    await assert_replays(client, handle.id)
    assert update_events(after) == []
    assert by_caller.value.errors[0]["message"] == "'five' is not of type 'integer'"
    assert [(r.type, r.message) for r in rejections] == [
        ("InvalidPayload", "update 'add' payload is invalid: $.amount: 'five' is not of type 'integer'"),
        ("Rejected", "amount must be positive and keep the count within the limit"),
        ("Rejected", "amount must be positive and keep the count within the limit"),
        ("UnknownUpdate", "update 'nope' is not declared by counter"),
    ]
    assert str(through_service.value) == (
        "update 'add' rejected: amount must be positive and keep the count within the limit"
    )


async def test_an_update_that_fails_after_acceptance_fails_alone(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        handle = await h.start(name, {"limit": 10})
        await h.runs.update(handle.id, "add", {"amount": 1})
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update("explode")
        assert await h.runs.query(handle.id, "count") == 1  # nothing was assigned
        await h.runs.signal(handle.id, "finish")
        assert await handle.result() == {"count": 1, "log": [1]}
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "ExpressionError"
    assert (
        cause.message == "update 'explode': ZeroDivisionError: integer division or modulo by zero "
        "in expression '{{ 1 // 0 }}'"
    )


async def test_an_update_delivered_with_the_start_sees_the_initial_variables(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTER, expect_errors=["E303"])
        entry = h.catalog.get(name)
        assert entry is not None
        workflow_id = h.unique_id(name)
        start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
            name,
            RunPayload(definition=entry.data, input={"limit": 10}).to_data(),
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        # the update arrives in the run's very first task, before its steps start
        returned = await client.execute_update_with_start_workflow(
            "add", {"amount": 2}, start_workflow_operation=start
        )
        await h.runs.signal(workflow_id, "finish")
        result = await client.get_workflow_handle(workflow_id).result()
    assert returned == {"count": 2, "log": [2]}
    assert result == {"count": 2, "log": [2]}
