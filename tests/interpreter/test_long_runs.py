"""Long runs stay within Temporal's history limits: a large ``foreach`` is batched into child workflows, and a
long top-level ``while`` continues as new when the server suggests it, carrying its state along."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tdsl.interpreter.steps.foreach import BATCH_SIZE
from tdsl.server.config import TemporalSettings
from tdsl.server.connection import connect
from tdsl.server.devserver import TEST_DYNAMIC_CONFIG, DevServer
from tests.interpreter import probes
from tests.interpreter.histories import (
    assert_replays,
    events,
    max_outstanding_activities,
    of_type,
    run_chain,
    summaries,
    type_names,
)
from tests.support import harness

HISTORY_LIMIT = 51_200
CHILD_STARTED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED
CHILD_COMPLETED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
CHILD_INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
# The server suggests continue-as-new after this many events (Temporal's default is 4,096 events or 4 MB);
# a low value makes a short loop continue as new several times.
SUGGEST_CONTINUE_AS_NEW_AFTER = 40

BULK = """
name: bulk
steps:
  - id: all
    foreach:
      items: "{{ range(input.count) | list }}"
      concurrency: 50
      steps:
        - id: item
          activity: probe
          args: ["item-{{ item }}"]
      result: "{{ steps.item.label }}"
output:
  succeeded: "{{ steps.all.succeeded }}"
  failed: "{{ steps.all.failed }}"
  results: "{{ steps.all.results }}"
"""

LOOP = """
name: long_loop
signals:
  note: {schema: {type: string}}
vars: {total: 0}
steps:
  - id: charge
    activity: charge_payment
    args: [looper, 10]
    compensate:
      activity: refund_payment
      args: ["{{ steps.charge.transaction_id }}"]
  - id: loop
    while:
      condition: "{{ vars.total < input.rounds }}"
      max_iterations: 100
      steps:
        - id: tick
          activity: probe
          args: ["tick-{{ loop.index }}"]
        - set: {total: "{{ vars.total + 1 }}", last_tick: "{{ steps.tick.label }}"}
  - id: first_note
    wait_for: {signals: [note], timeout: 10s}
  - id: second_note
    wait_for: {signals: [note], timeout: 10s}
  - if: "{{ input.fail | default(false) }}"
    fail: {type: LoopFailed, message: "stopped after {{ vars.total }} rounds"}
output:
  total: "{{ vars.total }}"
  iterations: "{{ steps.loop.iterations }}"
  charge: "{{ steps.charge.transaction_id }}"
  notes: ["{{ steps.first_note.payload }}", "{{ steps.second_note.payload }}"]
  last_tick: "{{ vars.last_tick }}"
"""


@pytest.fixture(scope="module")
async def eager_client() -> AsyncIterator[Client]:
    """A client of a dev server of its own that suggests continue-as-new early."""
    server = DevServer(
        dynamic_config=(
            *TEST_DYNAMIC_CONFIG,
            f"limit.historyCount.suggestContinueAsNew={SUGGEST_CONTINUE_AS_NEW_AFTER}",
        )
    ).start()
    try:
        yield await connect(TemporalSettings(url=server.address, connect_timeout_seconds=30))
    finally:
        server.stop()


async def test_a_foreach_of_5000_items_is_batched_into_children(client: Client, task_queue: str) -> None:
    count = 5000
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(BULK)
        began = time.monotonic()
        handle = await h.start(name, {"count": count})
        result = await handle.result()
        elapsed = time.monotonic() - began
        parent = await events(handle)
        children = [
            await events(
                client.get_workflow_handle(
                    e.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id
                )
            )
            for e in of_type(parent, CHILD_STARTED)
        ]
    sizes = {"parent": len(parent)} | {f"batch-{i}": len(c) for i, c in enumerate(children)}
    largest = max(sizes.values())
    print(f"\n5,000-item foreach: {elapsed:.1f}s, largest history {largest} events ({sizes})")
    assert result["succeeded"] == count and result["failed"] == 0
    assert result["results"] == [f"item-{i}" for i in range(count)]  # input order across batches
    assert len(children) == count // BATCH_SIZE
    assert largest < HISTORY_LIMIT // 10
    assert summaries(parent, CHILD_INITIATED)[:2] == ["all: items 0..499", "all: items 500..999"]
    # 50 at once and never more, in full batches: two batches at a time, each with 25 activities in flight
    # (not ten batches of five: the cost per item would grow with the list)
    open_now = most_open = 0
    for event in parent:
        open_now += (event.event_type == CHILD_INITIATED) - (event.event_type == CHILD_COMPLETED)
        most_open = max(most_open, open_now)
    assert most_open == 2
    assert [max_outstanding_activities(c) for c in children] == [25] * len(children)
    done = [
        e.args[0]
        for e in ledger.entries()
        if e.activity == "probe" and e.workflow_id and e.workflow_id.startswith(f"{handle.id}/")
    ]
    assert sorted(done) == sorted(f"item-{i}" for i in range(count))  # each item ran exactly once


async def test_a_long_while_continues_as_new_and_keeps_its_state(
    eager_client: Client, task_queue: str
) -> None:
    client = eager_client
    rounds = 20
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(LOOP)
        started = await h.runs.start(name, {"rounds": rounds}, workflow_id=h.unique_id(name))
        # sent at once, so they arrive in the first run and must be carried to the run that waits for them
        await h.runs.signal(started.workflow_id, "note", "first")
        await h.runs.signal(started.workflow_id, "note", "second")
        result = await h.runs.result(started.workflow_id, timeout=60)
        assert started.run_id is not None
        chain = await run_chain(client, started.workflow_id, started.run_id)
        progress = await h.runs.progress(started.workflow_id)
    charge = next(e for e in ledger.entries(started.workflow_id) if e.activity == "charge_payment")
    assert result == {
        "total": rounds,
        "iterations": rounds,
        "charge": charge.result["transaction_id"],
        "notes": ["first", "second"],
        "last_tick": f"tick-{rounds - 1}",
    }
    assert len(chain) >= 3
    run_ids = [started.run_id] + [
        run[-1].workflow_execution_continued_as_new_event_attributes.new_execution_run_id
        for run in chain[:-1]
    ]
    for run_id in run_ids:
        await assert_replays(client, started.workflow_id, run_id)
    assert all(type_names(run)[-1] == "WORKFLOW_EXECUTION_CONTINUED_AS_NEW" for run in chain[:-1])
    assert len(of_type(chain[0], SIGNALED)) == 2
    assert all(len(run) < SUGGEST_CONTINUE_AS_NEW_AFTER + 20 for run in chain)
    # every iteration ran once, the step before the loop was not repeated
    assert ledger.calls(started.workflow_id) == ["charge_payment"] + ["probe"] * rounds
    assert sorted(probes.outcomes(started.workflow_id)) == sorted(f"tick-{i}" for i in range(rounds))
    # progress adds up over the whole chain: charge, tick and set per round, the loop and both waits
    assert progress is not None and progress["completed_count"] == 1 + rounds * 2 + 3
    assert progress["completed_steps"][:3] == ["charge", "loop[0]/tick", "loop[0]/set#1"]


async def test_the_saga_stack_survives_continue_as_new(eager_client: Client, task_queue: str) -> None:
    client = eager_client
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(LOOP)
        started = await h.runs.start(name, {"rounds": 12, "fail": True}, workflow_id=h.unique_id(name))
        await h.runs.signal(started.workflow_id, "note", "a")
        await h.runs.signal(started.workflow_id, "note", "b")
        with pytest.raises(WorkflowFailureError) as failure:
            await client.get_workflow_handle(started.workflow_id).result()
        assert started.run_id is not None
        chain = await run_chain(client, started.workflow_id, started.run_id)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "LoopFailed"
    assert cause.message == (
        "step 'fail#4' failed: LoopFailed: stopped after 12 rounds; "
        "compensated: charge (refund_payment: completed)"
    )
    assert len(chain) >= 2
    assert summaries(chain[-1], SCHEDULED)[-1] == "charge.compensate"  # run by the last run in the chain
    assert ledger.calls(started.workflow_id)[-1] == "refund_payment"
