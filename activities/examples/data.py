"""Example data jobs: count records of a dataset and process batches of them.

Datasets are described by their id, so runs need no database:

* a trailing ``-N`` gives the size (``sales-250`` has 250 records); other datasets have 1,000;
* ``bad`` anywhere in a batch id: every tenth record of the batch fails (counted in ``failed``);
* ``corrupt<N>`` (any number of times, e.g. ``logs-corrupt150-corrupt420-1000``): record N is unreadable, so
  the batch holding it fails as a whole with ``BatchFailed`` (not retryable);
* ``crash`` anywhere in a batch id: every batch fails with ``BatchFailed``;
* ``flaky`` anywhere in a batch id: each batch's first attempt fails with ``StorageUnavailable`` (retryable),
  the retry succeeds.

Batch ids are ``<dataset_id>-batch-<n>``, as in the usage guide.
"""

from __future__ import annotations

import re
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from tdsl.activities import register

from . import simulation
from .ledger import ledger

DEFAULT_RECORDS = 1000
_SIZE = re.compile(r"-(\d+)$")
_CORRUPT = re.compile(r"corrupt(\d+)")


@register
async def get_record_count(dataset_id: str) -> int:
    """How many records ``dataset_id`` holds."""
    match = _SIZE.search(dataset_id)
    count = int(match.group(1)) if match else DEFAULT_RECORDS
    ledger.record("get_record_count", (dataset_id,), "ok", count)
    return count


def _check_readable(batch_id: str, start: int, size: int) -> None:
    if "flaky" in batch_id and activity.in_activity() and activity.info().attempt == 1:
        raise ApplicationError(f"storage unavailable while reading {batch_id}", type="StorageUnavailable")
    if "crash" in batch_id:
        raise ApplicationError(f"batch {batch_id} could not be read", type="BatchFailed", non_retryable=True)
    corrupt = sorted(n for n in map(int, _CORRUPT.findall(batch_id)) if start <= n < start + size)
    if corrupt:
        raise ApplicationError(
            f"batch {batch_id} could not be read: record {corrupt[0]} is corrupt",
            {"corrupt_records": corrupt},
            type="BatchFailed",
            non_retryable=True,
        )


@register
async def process_batch(
    batch_id: str, start: int = 0, size: int = 100, simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Process records ``start .. start+size-1`` of a batch; returns processed and failed counts."""
    try:
        await simulation.apply(simulate, "process_batch")
        _check_readable(batch_id, start, size)
    except ApplicationError:
        ledger.record("process_batch", (batch_id, start, size), "failed")
        raise
    failed = sum(1 for n in range(start, start + size) if "bad" in batch_id and n % 10 == 0)
    result = {"batch_id": batch_id, "processed": size - failed, "failed": failed}
    ledger.record("process_batch", (batch_id, start, size), "ok", result)
    return result
