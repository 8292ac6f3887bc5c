"""Example data jobs: count records of a dataset and process batches of them.

A dataset id may carry its size (``sales-250`` has 250 records); others have 1,000. A batch whose id
contains ``bad`` has every tenth record fail; one containing ``crash`` fails as a whole (``BatchFailed``).
"""

from __future__ import annotations

import re
from typing import Any

from temporalio.exceptions import ApplicationError

from . import simulation
from .ledger import ledger
from .registry import register

DEFAULT_RECORDS = 1000


@register
async def get_record_count(dataset_id: str) -> int:
    """How many records ``dataset_id`` holds."""
    match = re.search(r"-(\d+)$", dataset_id)
    count = int(match.group(1)) if match else DEFAULT_RECORDS
    ledger.record("get_record_count", (dataset_id,), "ok", count)
    return count


@register
async def process_batch(
    batch_id: str, start: int = 0, size: int = 100, simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Process records ``start .. start+size-1`` of a batch; returns processed and failed counts."""
    try:
        await simulation.apply(simulate, "process_batch")
        if "crash" in batch_id:
            raise ApplicationError(f"batch {batch_id} could not be read", type="BatchFailed", non_retryable=True)
    except ApplicationError:
        ledger.record("process_batch", (batch_id, start, size), "failed")
        raise
    failed = sum(1 for n in range(start, start + size) if "bad" in batch_id and n % 10 == 0)
    result = {"batch_id": batch_id, "processed": size - failed, "failed": failed}
    ledger.record("process_batch", (batch_id, start, size), "ok", result)
    return result
