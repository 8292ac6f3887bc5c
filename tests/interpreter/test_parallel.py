"""``parallel``: ``all`` runs every branch at once and keeps each branch's result; ``first`` takes the first
branch to finish and cancels the rest; a failing branch cancels its siblings."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.interpreter import probes
from tests.interpreter.histories import (
    activity_names,
    assert_replays,
    events,
    max_outstanding_activities,
    of_type,
    summaries,
)
from tests.support import harness

CANCEL_REQUESTED = EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED

BRANCHES = """
name: branches
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
steps:
  - id: both
    parallel:
      mode: "{{ MODE }}"
      branches:
        left:
          - id: l1
            activity: probe
            args: [left, "{{ input.left }}", "{{ input.left_fails | default(none) }}"]
          - set: {left_done: true}
          - id: l2
            activity: probe
            args: [left2]
        right:
          - id: r1
            activity: probe
            args: [right, "{{ input.right }}", "{{ input.right_fails | default(none) }}"]
output:
  both: "{{ steps.both }}"
  left_done: "{{ vars.left_done | default(false) }}"
"""


def branches(mode: str) -> str:
    return BRANCHES.replace('"{{ MODE }}"', mode).replace("name: branches", f"name: branches_{mode}")


async def test_all_runs_branches_concurrently_and_returns_each_result(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(branches("all"))
        handle = await h.start(name, {"left": 0.6, "right": 0.6})
        result = await handle.result()
        history = await events(handle)
    assert result == {
        "both": {"left": {"label": "left2"}, "right": {"label": "right"}},
        "left_done": True,
    }
    assert probes.concurrency(handle.id).peak == 2
    assert max_outstanding_activities(history) == 2
    scheduled = sorted(filter(None, summaries(history, SCHEDULED)))
    assert scheduled == ["both/left/l1", "both/left/l2", "both/right/r1"]


async def test_first_takes_the_first_branch_and_cancels_the_rest(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(branches("first"))
        workflow_id = h.unique_id(name)
        cancelled = probes.cancelled_event(workflow_id, "left")
        handle = await h.start(name, {"left": 30, "right": 0.2}, workflow_id=workflow_id)
        result = await handle.result()
        await asyncio.wait_for(cancelled.wait(), 15)
        history = await events(handle)
    await assert_replays(client, handle.id)
    assert result == {"both": {"winner": "right", "result": {"label": "right"}}, "left_done": False}
    assert probes.outcomes(handle.id) == {"left": "cancelled", "right": "ok"}
    assert len(of_type(history, CANCEL_REQUESTED)) == 1
    assert activity_names(history) == ["probe", "probe"]  # left2 never started


async def test_a_failing_branch_cancels_its_siblings(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(branches("all"))
        workflow_id = h.unique_id(name)
        cancelled = probes.cancelled_event(workflow_id, "left")
        handle = await h.start(
            name, {"left": 30, "right": 0.2, "right_fails": "CardExpired"}, workflow_id=workflow_id
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await asyncio.wait_for(cancelled.wait(), 15)
        history = await events(handle)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "CardExpired"
    assert cause.message == "step 'both/right/r1' failed: CardExpired: probe right failed"
    assert probes.outcomes(handle.id) == {"left": "cancelled", "right": "failed"}
    assert len(of_type(history, CANCEL_REQUESTED)) == 1


async def test_first_fails_when_the_first_branch_to_finish_fails(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(branches("first"))
        workflow_id = h.unique_id(name)
        cancelled = probes.cancelled_event(workflow_id, "right")
        handle = await h.start(
            name, {"left": 0.1, "left_fails": "Boom", "right": 30}, workflow_id=workflow_id
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await asyncio.wait_for(cancelled.wait(), 15)
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.type == "Boom"
    assert probes.outcomes(handle.id) == {"left": "failed", "right": "cancelled"}
