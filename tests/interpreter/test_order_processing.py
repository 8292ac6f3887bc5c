"""End-to-end runs of definitions/order_processing.yaml on the real dev server."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError

from tdsl.activities.examples import ledger
from tests.support import harness

ORDER: dict[str, Any] = {
    "order_id": "A-1",
    "user_id": "user-1",
    "items": [{"sku": "BOOK-1", "quantity": 1}],
    "total": 25.0,
    "email": "ada@example.com",
}


async def test_order_completes_with_transaction_id(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", ORDER)
        result = await handle.result()
    assert result["order_id"] == "A-1"
    assert result["status"] == "completed"
    assert result["transaction_id"].startswith("txn_")
    assert ledger.calls(handle.id) == ["charge_payment", "reserve_inventory", "send_email"]
    desc = await handle.describe()
    assert desc.workflow_type == "order_processing"
    memo = await desc.memo()
    assert memo["definition"] == "order_processing" and len(memo["sha256"]) == 64


async def test_failed_reservation_refunds_payment(client: Client, task_queue: str) -> None:
    order = {**ORDER, "items": [{"sku": "OUT-OF-STOCK-9", "quantity": 1}]}
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", order)
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert "OutOfStock" in str(cause) and "refund_payment" in str(cause)
    assert ledger.calls(handle.id) == ["charge_payment", "refund_payment"]
