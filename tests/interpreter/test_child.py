"""``child``: run another catalog definition as a child workflow, waiting for it or not. The child's workflow
type is its definition name, and the child definitions are pinned when the parent starts."""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError

from tdsl.activities.examples import ledger
from tests.interpreter.histories import assert_replays, events, of_type, summaries, wait_for_event
from tests.support import harness

CHILD_INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED

CHILD = """
name: greet_child
version: 1
input:
  type: object
  required: [who]
steps:
  - id: mail
    activity: send_email
    args: ["{{ input.who }}@example.com", Hi, "hello {{ input.who }}"]
  - if: "{{ input.fail | default(false) }}"
    fail: {type: ChildBroke, message: "cannot greet {{ input.who }}"}
output: {greeted: "{{ input.who }}", version: 1}
"""

PARENT = """
name: greet_parent
signals:
  go: {}
steps:
  - if: "{{ input.hold | default(false) }}"
    wait_for: {signals: [go], timeout: 1h}
  - id: kid
    child:
      definition: greet_child
      input: {who: "{{ input.who }}", fail: "{{ input.fail | default(false) }}"}
      id: "{{ workflow.id }}-kid"
  - id: detached
    if: "{{ input.detach | default(false) }}"
    child:
      definition: greet_child
      input: {who: detached}
      wait: false
output: {kid: "{{ steps.kid }}", detached: "{{ steps.detached }}"}
"""


async def test_a_child_runs_as_its_own_definition_and_the_parent_waits(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(CHILD)
        name = h.add(PARENT)
        handle = await h.start(name, {"who": "ada"})
        result = await handle.result()
        history = await events(handle)
        child = client.get_workflow_handle(f"{handle.id}-kid")
        described = await child.describe()
        memo = await described.memo()
        static_summary = await described.static_summary()
    await assert_replays(client, handle.id)
    assert result == {"kid": {"greeted": "ada", "version": 1}, "detached": None}
    assert described.workflow_type == "greet_child"
    assert described.parent_id == handle.id
    assert memo["definition"] == "greet_child" and memo["version"] == 1 and len(memo["sha256"]) == 64
    assert static_summary == "kid: run greet_child"
    [initiated] = of_type(history, CHILD_INITIATED)
    assert (
        initiated.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
        == "greet_child"
    )
    assert summaries(history, CHILD_INITIATED) == ["kid: run greet_child"]
    assert ledger.calls(child.id) == ["send_email"]


async def test_a_child_that_is_not_awaited_outlives_its_parent(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add(CHILD)
        name = h.add(PARENT)
        handle = await h.start(name, {"who": "bob", "detach": True})
        result = await handle.result()
        detached = result["detached"]
        assert detached["workflow_id"].startswith(f"{handle.id}/")
        child = client.get_workflow_handle(detached["workflow_id"], run_id=detached["run_id"])
        assert await child.result() == {"greeted": "detached", "version": 1}
    assert (await child.describe()).workflow_type == "greet_child"


async def test_a_failing_child_fails_the_step_with_its_error_type(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add(CHILD)
        name = h.add(PARENT)
        handle = await h.start(name, {"who": "eve", "fail": True})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "ChildBroke"
    assert (
        cause.message == "step 'kid' failed: ChildBroke: step 'fail#1' failed: ChildBroke: cannot greet eve"
    )


async def test_the_child_definition_is_pinned_when_the_parent_starts(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add(CHILD)
        name = h.add(PARENT)
        handle = await h.start(name, {"who": "cy", "hold": True})
        await wait_for_event(handle, TIMER_STARTED)
        h.add(CHILD.replace("version: 1", "version: 2"))  # edited after the parent started
        await h.runs.signal(handle.id, "go")
        assert (await handle.result())["kid"] == {"greeted": "cy", "version": 1}
        assert (await h.execute(name, {"who": "cy"}))["kid"] == {"greeted": "cy", "version": 2}


async def test_a_child_missing_from_the_catalog_fails_the_run(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(PARENT.replace("definition: greet_child", "definition: greet_nobody"))
        handle = await h.start(name, {"who": "x"})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.message == (
        "step 'kid': child definition 'greet_nobody' was not in the catalog when the run started"
    )


HOLDING_CHILD = """
name: holding_child
signals:
  release: {}
steps:
  - id: charge
    activity: charge_payment
    args: [kid, 5]
    compensate:
      activity: refund_payment
      args: ["{{ steps.charge.transaction_id }}", {delay: 0.5}]
  - wait_for: {signals: [release]}
output: released
"""

HOLDING_PARENT = """
name: holding_parent
steps:
  - id: hello
    activity: send_email
    args: [ada@example.com, Hello, started]
    compensate:
      activity: send_email
      args: [ada@example.com, Sorry, cancelled]
  - id: kid
    child:
      definition: holding_child
      id: "{{ workflow.id }}-kid"
output: "{{ steps.kid }}"
"""


async def test_cancelling_the_parent_cancels_the_child_which_compensates_first(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(HOLDING_CHILD)
        name = h.add(HOLDING_PARENT)
        handle = await h.start(name)
        child = client.get_workflow_handle(f"{handle.id}-kid")
        await wait_for_event(handle, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)
        await wait_for_event(child, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)  # the child charged
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        child_status = (await child.describe()).status
        await assert_replays(client, handle.id)
        await assert_replays(client, child.id)
    assert isinstance(failure.value.cause, CancelledError)
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
    assert child_status == WorkflowExecutionStatus.CANCELED
    family = [e for e in ledger.entries() if e.workflow_id in (handle.id, child.id)]
    assert [(e.workflow_id == child.id, e.activity) for e in family] == [
        (False, "send_email"),
        (True, "charge_payment"),
        (True, "refund_payment"),
        (False, "send_email"),
    ]
    assert family[-1].args[1] == "Sorry"  # the parent's own compensation ran after its child's
