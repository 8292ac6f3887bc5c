"""definitions/order_processing.yaml on the real dev server: the order completes; a failure after the charge
refunds it (and releases the items when they were reserved); a cancelled run refunds too."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError

from tdsl.activities.examples import ledger
from tdsl.server.errors import InvalidInput, RunDidNotComplete
from tests.support import harness

from .helpers import activities, events, first_event, unique, wait_for_step


def order(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "order_id": unique("A"),
        "user_id": "user-1",
        "items": [{"sku": "BOOK-1", "quantity": 2}],
        "total": 25.0,
        "email": "ada@example.com",
    }
    return {**base, **changes}


def ok_entry(workflow_id: str, name: str) -> Any:
    return next(e for e in ledger.entries(workflow_id) if e.activity == name and e.outcome == "ok")


async def test_order_completes_with_the_transaction_id(client: Client, task_queue: str) -> None:
    data = order()
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", data)
        result = await handle.result()
        status = await h.runs.describe(handle.id)
    charge = ok_entry(handle.id, "charge_payment")
    assert result == {
        "order_id": data["order_id"],
        "status": "completed",
        "transaction_id": charge.result["transaction_id"],
    }
    assert ledger.calls(handle.id) == ["charge_payment", "reserve_inventory", "send_email"]
    assert charge.args == ("user-1", 25.0)
    assert ok_entry(handle.id, "send_email").args == (
        "ada@example.com",
        "Order Confirmed",
        f"Your order {data['order_id']} is confirmed!",
    )
    assert status["status"] == "COMPLETED" and status["workflow_type"] == "order_processing"


async def test_id_template_makes_a_repeated_start_return_the_running_order(
    client: Client, task_queue: str
) -> None:
    data = order(items=[{"sku": "SLOW-1", "quantity": 1}])  # keeps the run busy while it is started again
    async with harness(client, task_queue) as h:
        first = await h.runs.start("order_processing", data)
        again = await h.runs.start("order_processing", data)
        await h.runs.cancel(first.workflow_id)
    assert first.workflow_id == f"order-{data['order_id']}"
    assert (again.workflow_id, again.run_id, again.existing) == (first.workflow_id, first.run_id, True)


async def test_out_of_stock_refunds_the_payment(client: Client, task_queue: str) -> None:
    data = order(items=[{"sku": "BOOK-1", "quantity": 1}, {"sku": "OUT-OF-STOCK-9", "quantity": 1}])
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", data)
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OutOfStock"
    assert cause.message == (
        "order_processing.yaml:38: step 'inventory' failed: OutOfStock: out of stock: OUT-OF-STOCK-9; "
        "compensated: payment (refund_payment: completed)"
    )
    assert ledger.calls(handle.id) == ["charge_payment", "refund_payment"]
    txn = ok_entry(handle.id, "charge_payment").result["transaction_id"]
    assert ok_entry(handle.id, "refund_payment").args == (txn,)
    # OutOfStock is not retried: one attempt, then the refund.
    assert [e.outcome for e in ledger.entries(handle.id) if e.activity == "reserve_inventory"] == ["failed"]


async def test_failed_confirmation_releases_the_items_then_refunds(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", order(email="not-an-address"))
        with pytest.raises(RunDidNotComplete) as failure:
            await h.runs.result(handle.id)
    assert failure.value.status == "FAILED"
    assert "InvalidAddress: invalid email address 'not-an-address'" in str(failure.value)
    assert ledger.calls(handle.id) == [
        "charge_payment",
        "reserve_inventory",
        "release_inventory",
        "refund_payment",
    ]
    reservation = ok_entry(handle.id, "reserve_inventory").result["reservation_id"]
    assert ok_entry(handle.id, "release_inventory").args == (reservation,)
    details = failure.value.details
    assert details is not None
    assert [(c["step"], c["activity"], c["status"]) for c in details[0]["compensations"]] == [
        ("inventory", "release_inventory", "completed"),
        ("payment", "refund_payment", "completed"),
    ]


async def test_declined_payment_has_nothing_to_undo(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", order(total=20_000))
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "PaymentDeclined"
    assert cause.message == (
        "order_processing.yaml:29: step 'payment' failed: PaymentDeclined: payment of 20000.0 for user-1 "
        "declined"
    )
    error = cause.details[0]["error"]
    assert (error["file"], error["line"], error["step"]) == ("order_processing.yaml", 29, "payment")
    assert [(e.activity, e.outcome) for e in ledger.entries(handle.id)] == [("charge_payment", "failed")]


async def test_cancelling_while_reserving_refunds_the_payment(client: Client, task_queue: str) -> None:
    data = order(items=[{"sku": "SLOW-7", "quantity": 1}])
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", data)
        await wait_for_step(handle, "inventory")
        await h.runs.cancel(handle.id)
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        assert isinstance(failure.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        history = await events(handle)
    # The worker has stopped: the slow reservation was cancelled (no reservation left to release).
    assert ledger.calls(handle.id) == ["charge_payment", "refund_payment"]
    txn = ok_entry(handle.id, "charge_payment").result["transaction_id"]
    assert ok_entry(handle.id, "refund_payment").args == (txn,)
    cancel_requested = first_event(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED).event_id
    refund = next(a for a in activities(history) if a.name == "refund_payment")
    assert refund.scheduled_id > cancel_requested and refund.outcome == "completed"
    assert history[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED


async def test_input_is_checked_before_starting(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        with pytest.raises(InvalidInput) as invalid:
            await h.runs.start("order_processing", {**order(), "items": [], "total": -1})
    paths = sorted(e["path"] for e in invalid.value.errors)
    assert paths == ["$.items", "$.total"]
