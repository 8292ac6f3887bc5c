"""definitions/data_processing.yaml on the real dev server: batches run in parallel under the definition's
limit, sums are right, transient errors are retried, and failed batches follow the failure policy."""

from __future__ import annotations

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tdsl.server.errors import InvalidInput
from tests.support import harness

from .helpers import events, max_in_flight, unique


def batches(workflow_id: str, outcome: str = "ok") -> list[tuple[str, int, int]]:
    """(batch id, start, size) of the run's process_batch calls with ``outcome``, by batch id."""
    calls = [
        e.args for e in ledger.entries(workflow_id) if e.activity == "process_batch" and e.outcome == outcome
    ]
    return sorted(calls, key=lambda args: args[1])


async def test_counts_and_sums_a_clean_dataset(client: Client, task_queue: str) -> None:
    dataset = f"{unique('sales')}-250"
    async with harness(client, task_queue) as h:
        handle = await h.start("data_processing", {"dataset_id": dataset})
        result = await handle.result()
        assert await h.runs.query(handle.id, "batch_size") == 100
    assert result == {"dataset_id": dataset, "total_records": 250, "processed": 250, "failed": 0}
    assert batches(handle.id) == [
        (f"{dataset}-batch-0", 0, 100),
        (f"{dataset}-batch-1", 100, 100),
        (f"{dataset}-batch-2", 200, 50),
    ]
    assert ledger.calls(handle.id)[0] == "get_record_count"


async def test_batches_run_in_parallel_up_to_the_limit(client: Client, task_queue: str) -> None:
    dataset = f"{unique('events')}-1200"
    async with harness(client, task_queue) as h:
        handle = await h.start("data_processing", {"dataset_id": dataset, "batch_size": 100})
        result = await handle.result()
        history = await events(handle)
    assert result == {"dataset_id": dataset, "total_records": 1200, "processed": 1200, "failed": 0}
    assert len(batches(handle.id)) == 12
    # The definition's concurrency is 4: four batches are in flight together, never more.
    assert max_in_flight(history, "process_batch") == 4


async def test_failed_records_are_counted(client: Client, task_queue: str) -> None:
    dataset = f"{unique('bad-clicks')}-1000"  # every tenth record of a "bad" dataset fails
    async with harness(client, task_queue) as h:
        result = await h.execute("data_processing", {"dataset_id": dataset, "batch_size": 300})
    assert result == {"dataset_id": dataset, "total_records": 1000, "processed": 900, "failed": 100}


async def test_transient_errors_are_retried(client: Client, task_queue: str) -> None:
    dataset = f"{unique('flaky')}-200"  # each batch's first attempt fails with StorageUnavailable
    async with harness(client, task_queue) as h:
        handle = await h.start("data_processing", {"dataset_id": dataset})
        result = await handle.result()
    assert result == {"dataset_id": dataset, "total_records": 200, "processed": 200, "failed": 0}
    attempts = [
        (e.args[0], e.attempt, e.outcome) for e in ledger.entries(handle.id) if e.activity == "process_batch"
    ]
    assert sorted(attempts) == [
        (f"{dataset}-batch-0", 1, "failed"),
        (f"{dataset}-batch-0", 2, "ok"),
        (f"{dataset}-batch-1", 1, "failed"),
        (f"{dataset}-batch-1", 2, "ok"),
    ]


async def test_failed_batches_within_the_tolerance_count_as_failed_records(
    client: Client, task_queue: str
) -> None:
    # Records 150 and 420 are unreadable: batches 1 and 4 fail as a whole (BatchFailed, not retried).
    dataset = f"{unique('logs')}-corrupt150-corrupt420-1000"
    async with harness(client, task_queue) as h:
        handle = await h.start("data_processing", {"dataset_id": dataset, "max_failed_batches": 2})
        result = await handle.result()
    assert result == {"dataset_id": dataset, "total_records": 1000, "processed": 800, "failed": 200}
    assert [b[0] for b in batches(handle.id, "failed")] == [f"{dataset}-batch-1", f"{dataset}-batch-4"]
    assert len(batches(handle.id)) == 8


@pytest.mark.parametrize("tolerated", [None, 1])
async def test_failed_batches_beyond_the_tolerance_fail_the_run(
    client: Client, task_queue: str, tolerated: int | None
) -> None:
    dataset = f"{unique('logs')}-corrupt150-corrupt420-1000"
    run_input: dict[str, object] = {"dataset_id": dataset}
    if tolerated is not None:
        run_input["max_failed_batches"] = tolerated
    async with harness(client, task_queue) as h:
        handle = await h.start("data_processing", run_input)
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "TooManyFailedBatches"
    assert cause.message == (
        f"data_processing.yaml:57: step 'policy' failed: TooManyFailedBatches: 2 of 10 batches of {dataset} "
        f"failed (tolerated: {tolerated or 0})"
    )
    failed = cause.details[0]["error"]["details"]
    assert [(f["index"], f["item"], f["error"]["type"]) for f in failed] == [
        (1, 100, "BatchFailed"),
        (4, 400, "BatchFailed"),
    ]
    assert (
        failed[0]["error"]["message"] == f"batch {dataset}-batch-1 could not be read: record 150 is corrupt"
    )


async def test_a_bad_batch_size_is_refused_before_starting(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        with pytest.raises(InvalidInput) as invalid:
            await h.runs.start("data_processing", {"dataset_id": "sales-10", "batch_size": 0})
    assert [e["path"] for e in invalid.value.errors] == ["$.batch_size"]
