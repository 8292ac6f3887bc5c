"""``foreach``: items really run concurrently, never more than ``concurrency`` at once; results in input
order; failures tolerated by count or percentage, else the first failure cancels the rest; long lists run
in batches."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tests.interpreter import probes
from tests.interpreter.histories import assert_replays, events, max_outstanding_activities, summaries
from tests.support import harness

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED

EACH = """
name: each
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
steps:
  - id: work
    foreach:
      items: "{{ input.jobs }}"
      as: job
      concurrency: CONCURRENCY
      tolerate_failures: TOLERATE
      steps:
        - id: run
          activity: probe
          args: ["{{ job.label }}", "{{ job.seconds }}", "{{ job.fail | default(none) }}"]
      result: "{{ index }}:{{ steps.run.label }}"
output: "{{ steps.work }}"
"""


def each(concurrency: int, tolerate: Any = 0) -> str:
    text = EACH.replace("CONCURRENCY", str(concurrency)).replace("TOLERATE", repr(tolerate))
    return text.replace("name: each", f"name: each_{concurrency}")


def jobs(
    count: int, seconds: float, failing: tuple[int, ...] = (), slow: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    return [
        {
            "label": f"j{i}",
            "seconds": 30 if i in slow else seconds,
            **({"fail": "ItemBroken"} if i in failing else {}),
        }
        for i in range(count)
    ]


async def test_items_run_concurrently_up_to_the_limit_with_results_in_input_order(
    client: Client, task_queue: str
) -> None:
    work = [
        {"label": f"j{i}", "seconds": s} for i, s in enumerate([0.6, 0.1, 0.3, 0.1, 0.5, 0.2, 0.1, 0.4, 0.1])
    ]
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(3))
        handle = await h.start(name, {"jobs": work})
        result = await handle.result()
        history = await events(handle)
    assert result == {
        "results": [f"{i}:j{i}" for i in range(9)],
        "errors": [],
        "succeeded": 9,
        "failed": 0,
    }
    await assert_replays(client, handle.id)
    assert probes.concurrency(handle.id).peak == 3  # really at once, in the activity worker
    assert max_outstanding_activities(history) == 3  # never more than the limit in flight
    assert summaries(history, SCHEDULED)[:3] == ["work[0]/run", "work[1]/run", "work[2]/run"]
    ledger_order = [label for label, outcome in probes.outcomes(handle.id).items() if outcome == "ok"]
    assert ledger_order != [f"j{i}" for i in range(9)]  # they finished out of order...
    assert sorted(ledger_order) == sorted(f"j{i}" for i in range(9))  # ...and every one ran


async def test_concurrency_one_runs_items_one_after_another(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(1))
        handle = await h.start(name, {"jobs": jobs(4, 0.1)})
        result = await handle.result()
        history = await events(handle)
    assert result["results"] == ["0:j0", "1:j1", "2:j2", "3:j3"]
    assert probes.concurrency(handle.id).peak == 1
    assert max_outstanding_activities(history) == 1


@pytest.mark.parametrize("tolerate", [2, "20%", "25%"])
async def test_failures_within_the_tolerance_are_recorded(
    client: Client, task_queue: str, tolerate: Any
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(2, tolerate))
        handle = await h.start(name, {"jobs": jobs(10, 0.05, failing=(3, 7))})
        result = await handle.result()
    assert result["succeeded"] == 8 and result["failed"] == 2
    assert result["results"][3] is None and result["results"][7] is None
    assert result["results"][0] == "0:j0" and result["results"][9] == "9:j9"
    assert [(e["index"], e["item"]["label"], e["error"]["type"]) for e in result["errors"]] == [
        (3, "j3", "ItemBroken"),
        (7, "j7", "ItemBroken"),
    ]
    assert result["errors"][0]["error"]["message"] == "probe j3 failed"
    assert result["errors"][0]["error"]["step"] == "work[3]/run"


@pytest.mark.parametrize(("tolerate", "allowed"), [(1, 1), ("10%", 1), ("19.9%", 1)])
async def test_more_failures_than_tolerated_fail_the_step(
    client: Client, task_queue: str, tolerate: Any, allowed: int
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(1, tolerate))
        handle = await h.start(name, {"jobs": jobs(10, 0.0, failing=(3, 7, 8))})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "TooManyFailures"
    assert (
        cause.message == f"step 'work' failed: TooManyFailures: 2 of 10 items failed (tolerated: {allowed})"
    )
    assert [e["index"] for e in cause.details[0]["error"]["details"]] == [3, 7]
    # with one at a time, the items after the second failure never ran
    assert set(probes.outcomes(handle.id)) == {f"j{i}" for i in range(8)}


async def test_without_tolerance_the_first_failure_cancels_the_other_items(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(3))
        workflow_id = h.unique_id(name)
        cancelled = [probes.cancelled_event(workflow_id, label) for label in ("j0", "j2")]
        handle = await h.start(
            name, {"jobs": jobs(6, 0.1, failing=(1,), slow=(0, 2))}, workflow_id=workflow_id
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in cancelled)), 15)
    await assert_replays(client, handle.id)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "ItemBroken"  # the item's own error, so a catch can match it
    assert cause.message == "step 'work[1]/run' failed: ItemBroken: probe j1 failed"
    assert probes.outcomes(handle.id) == {"j0": "cancelled", "j1": "failed", "j2": "cancelled"}


async def test_items_that_are_not_a_list_fail_the_run(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(2))
        handle = await h.start(name, {"jobs": {"label": "x"}})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.message == "step 'work': foreach items must be a list, got dict"


async def test_an_empty_list_gives_an_empty_result(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(each(4))
        assert await h.execute(name, {"jobs": []}) == {
            "results": [],
            "errors": [],
            "succeeded": 0,
            "failed": 0,
        }


BATCHED = """
name: batched
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
vars: {seen: before}
steps:
  - id: work
    foreach:
      items: "{{ input.jobs }}"
      as: job
      concurrency: 4
      tolerate_failures: "{{ TOLERATE }}"
      steps:
        - if: "{{ job.label == input.stop_at | default('') }}"
          return: {stopped_at: "{{ index }}", seen: "{{ vars.seen }}"}
        - id: run
          activity: probe
          args: ["{{ job.label }}", "{{ job.seconds }}", "{{ job.fail | default(none) }}"]
          compensate:
            activity: send_email
            args: [ops@example.com, Undo, "undo {{ job.label }}"]
      result: "{{ steps.run.label }}"
  - if: "{{ input.fail_after | default(false) }}"
    fail: {type: LaterFailure, message: after the loop}
output: "{{ steps.work }}"
"""


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    """Batch lists longer than 4 items (the worker runs in this process), so batching is tested quickly."""
    from tdsl.interpreter.steps import foreach

    monkeypatch.setattr(foreach, "BATCH_SIZE", 4)
    return 4


def batched(tolerate: Any = 0) -> str:
    return BATCHED.replace('"{{ TOLERATE }}"', repr(tolerate))


async def child_ids(client: Client, workflow_id: str) -> list[str]:
    history = await events(client.get_workflow_handle(workflow_id))
    return [
        e.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id
        for e in history
        if e.event_type == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED
    ]


async def test_batches_keep_order_and_tolerance(client: Client, task_queue: str, small_batches: int) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(batched(2))
        handle = await h.start(name, {"jobs": jobs(10, 0.0, failing=(3, 7))})
        result = await handle.result()
        children = await child_ids(client, handle.id)
    assert sorted(children) == [f"{handle.id}/work/batch-{n}" for n in range(3)]
    for workflow_id in [handle.id, *children]:
        await assert_replays(client, workflow_id)
    assert result["results"] == ["j0", "j1", "j2", None, "j4", "j5", "j6", None, "j8", "j9"]
    assert [(e["index"], e["error"]["type"]) for e in result["errors"]] == [
        (3, "ItemBroken"),
        (7, "ItemBroken"),
    ]
    assert result["errors"][1]["error"]["step"] == "work[7]/run"
    assert (await client.get_workflow_handle(children[0]).describe()).workflow_type == "batched.batch"


async def test_a_failing_batch_item_fails_the_step_and_cancels_other_batches(
    client: Client, task_queue: str, small_batches: int
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(batched())
        workflow_id = h.unique_id(name)
        slow = probes.cancelled_event(workflow_id, "j0")
        handle = await h.start(name, {"jobs": jobs(8, 0.0, failing=(5,), slow=(0,))}, workflow_id=workflow_id)
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await asyncio.wait_for(slow.wait(), 15)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.message.split(";")[0]) == (
        "ItemBroken",
        "step 'work[5]/run' failed: ItemBroken: probe j5 failed",
    )
    # every item that succeeded was undone exactly once: by its cancelled batch, or by the parent
    family = [e for e in ledger.entries() if e.workflow_id and e.workflow_id.split("/")[0] == workflow_id]
    succeeded = sorted(e.args[0] for e in family if e.activity == "probe" and e.outcome == "ok")
    undone = sorted(e.args[2].removeprefix("undo ") for e in family if e.activity == "send_email")
    assert succeeded and undone == succeeded


async def test_compensations_of_batch_items_run_in_the_parent(
    client: Client, task_queue: str, small_batches: int
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(batched())
        handle = await h.start(name, {"jobs": jobs(6, 0.0), "fail_after": True})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "LaterFailure"
    undone = [c["step"] for c in cause.details[0]["compensations"]]
    assert sorted(undone) == [f"work[{i}]/run" for i in range(6)]
    emails = [e.args[2] for e in ledger.entries(handle.id) if e.activity == "send_email"]
    assert sorted(emails) == [f"undo j{i}" for i in range(6)]  # run by the parent, not the batches


async def test_return_in_a_batch_ends_the_run(client: Client, task_queue: str, small_batches: int) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(batched())
        assert await h.execute(name, {"jobs": jobs(6, 0.0), "stop_at": "j5"}) == {
            "stopped_at": 5,
            "seen": "before",
        }


# ------------------------------------------------------------------------ limits taken from the input
FROM_INPUT = """
name: each_from_input
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
steps:
  - id: work
    foreach:
      items: "{{ input.jobs }}"
      as: job
      concurrency: "{{ input.parallelism | default(4) }}"
      tolerate_failures: "{{ input.max_failed | default(0) }}"
      steps:
        - id: run
          activity: probe
          args: ["{{ job.label }}", "{{ job.seconds }}", "{{ job.fail | default(none) }}"]
      result: "{{ index }}:{{ steps.run.label }}"
output: "{{ steps.work }}"
"""


@pytest.mark.parametrize(("given", "limit"), [({"parallelism": 2}, 2), ({}, 4)])
async def test_concurrency_from_the_input_limits_the_items_in_flight(
    client: Client, task_queue: str, given: dict[str, Any], limit: int
) -> None:
    work = [{"label": f"j{i}", "seconds": s} for i, s in enumerate([0.5, 0.3, 0.4, 0.3, 0.1, 0.2, 0.1, 0.1])]
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(FROM_INPUT)
        handle = await h.start(name, {"jobs": work, **given})
        result = await handle.result()
        history = await events(handle)
    assert result["results"] == [f"{i}:j{i}" for i in range(8)]
    await assert_replays(client, handle.id)
    assert probes.concurrency(handle.id).peak == limit  # really at once, in the activity worker
    assert max_outstanding_activities(history) == limit


@pytest.mark.parametrize("max_failed", [2, "20%"])
async def test_tolerate_failures_from_the_input_records_failures_within_it(
    client: Client, task_queue: str, max_failed: Any
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(FROM_INPUT)
        result = await h.execute(name, {"jobs": jobs(10, 0.0, failing=(3, 7)), "max_failed": max_failed})
    assert (result["succeeded"], result["failed"]) == (8, 2)
    assert [(e["index"], e["error"]["type"]) for e in result["errors"]] == [
        (3, "ItemBroken"),
        (7, "ItemBroken"),
    ]


@pytest.mark.parametrize(("max_failed", "allowed"), [(1, 1), ("10%", 1), ("9.9%", 0)])
async def test_tolerate_failures_from_the_input_fails_the_step_beyond_it(
    client: Client, task_queue: str, max_failed: Any, allowed: int
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(FROM_INPUT)
        handle = await h.start(
            name, {"jobs": jobs(10, 0.0, failing=(3, 7)), "parallelism": 1, "max_failed": max_failed}
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    if allowed:
        assert cause.message == "step 'work' failed: TooManyFailures: 2 of 10 items failed (tolerated: 1)"
    else:  # nothing tolerated: the first item's own error
        assert cause.message == "step 'work[3]/run' failed: ItemBroken: probe j3 failed"
    assert set(probes.outcomes(handle.id)) == {f"j{i}" for i in range(8 if allowed else 4)}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"parallelism": 0},
            "foreach concurrency '{{ input.parallelism | default(4) }}' gave 0 (int), "
            "not an integer from 1 to 1000",
        ),
        (
            {"parallelism": 1001},
            "foreach concurrency '{{ input.parallelism | default(4) }}' gave 1001 (int), "
            "not an integer from 1 to 1000",
        ),
        (
            {"parallelism": "4"},
            "foreach concurrency '{{ input.parallelism | default(4) }}' gave '4' (str), "
            "not an integer from 1 to 1000",
        ),
        (
            {"parallelism": True},
            "foreach concurrency '{{ input.parallelism | default(4) }}' gave True (bool), "
            "not an integer from 1 to 1000",
        ),
        (
            {"max_failed": -1},
            "foreach tolerate_failures '{{ input.max_failed | default(0) }}' gave -1 (int), "
            "not an integer >= 0 or a percentage such as '10%'",
        ),
        (
            {"max_failed": "150%"},
            "foreach tolerate_failures '{{ input.max_failed | default(0) }}' gave '150%' (str), "
            "not an integer >= 0 or a percentage such as '10%'",
        ),
        (
            {"max_failed": 2.5},
            "foreach tolerate_failures '{{ input.max_failed | default(0) }}' gave 2.5 (float), "
            "not an integer >= 0 or a percentage such as '10%'",
        ),
    ],
)
async def test_a_bad_limit_from_the_input_fails_the_run(
    client: Client, task_queue: str, given: dict[str, Any], message: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(FROM_INPUT)
        handle = await h.start(name, {"jobs": jobs(3, 0.0), **given})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        history = await events(handle)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.message) == ("DefinitionError", f"step 'work': {message}")
    assert cause.non_retryable
    assert max_outstanding_activities(history) == 0  # no item ran
    assert probes.outcomes(handle.id) == {}


async def fragment_of(client: Client, workflow_id: str) -> dict[str, Any]:
    started = (await events(client.get_workflow_handle(workflow_id)))[0]
    attributes = started.workflow_execution_started_event_attributes
    payload = await client.data_converter.decode(attributes.input.payloads)
    return dict(payload[0]["fragment"])


def batched_from_input() -> str:
    return (
        BATCHED.replace("name: batched", "name: batched_from_input")
        .replace("concurrency: 4", 'concurrency: "{{ input.parallelism }}"')
        .replace('"{{ TOLERATE }}"', '"{{ input.max_failed }}"')
    )


async def test_batches_use_the_limits_rendered_by_the_parent(
    client: Client, task_queue: str, small_batches: int
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(batched_from_input())
        handle = await h.start(
            name, {"jobs": jobs(10, 0.2, failing=(3, 7)), "parallelism": 3, "max_failed": "20%"}
        )
        result = await handle.result()
        children = await child_ids(client, handle.id)
        # 20% of the whole list (2), not of a batch of 4 (0): the failures are tolerated.
        assert result["results"] == ["j0", "j1", "j2", None, "j4", "j5", "j6", None, "j8", "j9"]
        assert probes.concurrency(handle.id).peak == 3  # two full batches at once: 2 + 1 items
        beyond = await h.start(
            name, {"jobs": jobs(10, 0.0, failing=(3, 7)), "parallelism": 2, "max_failed": 1}
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await beyond.result()
    assert len(children) == 3
    for workflow_id in [handle.id, *children]:
        await assert_replays(client, workflow_id)
    # Each batch carries the numbers, not the expressions (which it would render in its own context).
    fragments = {child: await fragment_of(client, child) for child in children}
    first, second, third = (fragments[f"{handle.id}/work/batch-{n}"] for n in range(3))
    # The concurrency (3) is split over two batches at a time (2 + 1); the third takes the freed slot.
    assert sorted([first["concurrency"], second["concurrency"]]) == [1, 2]
    assert third["concurrency"] in (1, 2)
    fragment = first
    assert fragment["allowed"] == 2
    assert fragment["step"]["foreach"]["concurrency"] == 3
    assert fragment["step"]["foreach"]["tolerate_failures"] == 2
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.message.split(";")[0] == (
        "step 'work' failed: TooManyFailures: 2 of 10 items failed (tolerated: 1)"
    )
