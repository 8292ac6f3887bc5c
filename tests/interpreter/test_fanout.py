"""Fan-out that scales: a batched ``foreach`` keeps its concurrency in few full batches (not one item per
child when the list is long), ``collect: summary`` keeps only counts, and results too large for Temporal fail
early with ``ResultTooLarge``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.interpreter.steps import foreach
from tdsl.interpreter.steps.foreach import batch_widths
from tests.interpreter import probes
from tests.interpreter.histories import assert_replays, events
from tests.support import harness

FANOUT = """
name: fanout
defaults: {retry: {maximum_attempts: 1}}
steps:
  - id: work
    foreach:
      items: "{{ input.jobs }}"
      concurrency: 4
      collect: COLLECT
      steps:
        - id: run
          activity: probe
          args: ["{{ item }}", 0.05, "{{ 'Broken' if item in (input.failing | default([])) else none }}"]
      result: "{{ steps.run.label }}"
output: "{{ steps.work }}"
"""


def fanout(collect: str = "all") -> str:
    return FANOUT.replace("COLLECT", collect).replace("name: fanout", f"name: fanout_{collect}")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 4 items (the worker runs in this process), so long lists are tested quickly."""
    monkeypatch.setattr(foreach, "BATCH_SIZE", 4)


@pytest.mark.parametrize(
    ("chunks", "concurrency", "widths"),
    [
        (200, 100, [50, 50]),  # 100,000 items, 100 at once: two full batches, not 100 batches of one item
        (3, 100, [50, 50]),
        (5, 1000, [500, 500]),
        (10, 3, [2, 1]),
        (10, 1, [1]),
        (1, 7, [7]),
    ],
)
def test_batch_widths_keep_the_concurrency_in_few_batches(
    chunks: int, concurrency: int, widths: list[int]
) -> None:
    assert batch_widths(chunks, concurrency) == widths


@given(chunks=st.integers(1, 400), concurrency=st.integers(1, 1000))
def test_batch_widths_never_exceed_the_concurrency_nor_a_batch(chunks: int, concurrency: int) -> None:
    widths = batch_widths(chunks, concurrency)
    assert sum(widths) <= concurrency
    if chunks > 1:  # every loop that is batched: MAX_CONCURRENCY is at most two full batches
        assert sum(widths) == concurrency
    assert 1 <= len(widths) <= min(chunks, concurrency)
    assert all(1 <= width <= foreach.BATCH_SIZE for width in widths)


def most_open_children(history: list[Any]) -> int:
    """The most child runs open at the same time in a parent's history."""
    open_now = peak = 0
    for event in history:
        if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            open_now += 1
            peak = max(peak, open_now)
        elif event.event_type in (
            EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
            EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
        ):
            open_now -= 1
    return peak


async def test_a_long_list_runs_in_two_full_batches_at_a_time(
    client: Client, task_queue: str, small_batches: None
) -> None:
    items = [f"j{i}" for i in range(24)]  # six batches of four
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        handle = await h.start(h.add(fanout()), {"jobs": items})
        result = await handle.result()
        history = await events(handle)
        await assert_replays(client, handle.id)
    assert result["results"] == items and result["succeeded"] == 24
    # Before: min(6 batches, concurrency 4) = four children at once running one item each.
    assert most_open_children(history) == 2
    assert probes.concurrency(handle.id).peak == 4


async def test_collect_summary_keeps_counts_and_failed_items_only(
    client: Client, task_queue: str, small_batches: None
) -> None:
    items = [f"j{i}" for i in range(10)]
    text = fanout("summary").replace("concurrency: 4", "concurrency: 4\n      tolerate_failures: 2")
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        handle = await h.start(h.add(text), {"jobs": items, "failing": ["j3"]})
        result = await handle.result()
        history = await events(handle)
    assert set(result) == {"errors", "succeeded", "failed"}
    assert (result["succeeded"], result["failed"]) == (9, 1)
    assert [(e["index"], e["error"]["type"]) for e in result["errors"]] == [(3, "Broken")]
    # The batches hand back no results either: nothing grows with the list but the counts.
    completed = [
        e.child_workflow_execution_completed_event_attributes.result.payloads
        for e in history
        if e.event_type == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
    ]
    assert completed
    for payloads in completed:
        outcome = (await client.data_converter.decode(payloads))[0]
        assert outcome["results"] == []


async def test_results_too_large_for_temporal_fail_the_step_naming_the_fix(
    client: Client, task_queue: str, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(foreach, "MEASURED_FROM", 1)
    monkeypatch.setattr(foreach, "MAX_RESULTS_BYTES", 40)
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        handle = await h.start(h.add(fanout()), {"jobs": [f"j{i}" for i in range(12)]})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "ResultTooLarge"
    assert "set `collect: summary`" in cause.message
    assert "collected 63 bytes of results for 12 items" in cause.message
