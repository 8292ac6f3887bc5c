"""The usage guide's FastAPI app, endpoint by endpoint (orders, async orders, status, result, reminders,
cancel, approvals, bookings, data processing, health), with its bugs fixed."""

from __future__ import annotations

import uuid

import httpx
from temporalio.api.enums.v1 import EventType

from tdsl.activities.examples.ledger import ledger
from tdsl.server.engine import TemporalEngine
from tests.server.helpers import eventually
from tests.support import error_body

ORDER = {
    "user_id": "u-7",
    "items": [{"sku": "BOOK-1", "quantity": 2}],
    "total": 31.5,
    "email": "ada@example.com",
}


async def test_orders_are_processed_and_report_status_and_result(
    seed_http: httpx.AsyncClient, seed_engine: TemporalEngine
) -> None:
    response = await seed_http.post("/orders", json=ORDER)
    assert response.status_code == 200
    order = response.json()
    assert order["status"] == "completed"
    assert order["transaction_id"].startswith("txn_")
    order_id = order["order_id"]
    status = (await seed_http.get(f"/orders/{order_id}/status")).json()
    assert status["workflow_status"] == "COMPLETED"
    assert status["workflow_type"] == "OrderProcessingWorkflow"
    assert status["start_time"] <= status["close_time"]
    result = (await seed_http.get(f"/orders/{order_id}/result")).json()
    assert result == {"order_id": order_id, "status": "completed", "transaction_id": order["transaction_id"]}
    assert ledger.calls(f"order-{order_id}") == ["charge_payment", "reserve_inventory", "send_email"]


async def test_async_orders_answer_at_once(seed_http: httpx.AsyncClient, seed_engine: TemporalEngine) -> None:
    response = (await seed_http.post("/orders/async", json=ORDER)).json()
    assert response["message"] == "Order is being processed"
    assert response["workflow_id"] == f"order-{response['order_id']}"
    result = await seed_engine.workflows.get_result(response["workflow_id"], timeout_seconds=30)
    assert result["status"] == "completed"


async def test_unknown_orders_are_404_not_500(seed_http: httpx.AsyncClient) -> None:
    status = await seed_http.get("/orders/nope/status")
    assert status.status_code == 404
    assert status.json() == error_body("NotFound", "Order not found: no run with id 'order-nope'")
    result = await seed_http.get("/orders/nope/result")
    assert result.status_code == 404
    assert result.json() == error_body("UnknownRun", "no run with id 'order-nope'")
    cancel = await seed_http.delete("/orders/nope")
    assert cancel.status_code == 404


async def test_cancel_an_order_that_is_being_processed(
    seed_http: httpx.AsyncClient, seed_engine: TemporalEngine
) -> None:
    # The YAML order_processing (beside the code workflows, same worker) uses the same ids: order-<id>.
    order_id = str(uuid.uuid4())
    slow = {**ORDER, "order_id": order_id, "items": [{"sku": "SLOW-1", "quantity": 1}]}
    handle = await seed_engine.workflows.start("order_processing", slow)
    assert handle.id == f"order-{order_id}"

    async def reserving() -> bool:
        progress = (await seed_engine.workflows.get_status(handle.id, progress=True)).progress or {}
        return progress.get("current_steps") == ["inventory"]

    await eventually(reserving, what="the run to reserve the items")
    response = await seed_http.delete(f"/orders/{order_id}")
    assert response.json() == {"order_id": order_id, "status": "cancelled"}
    outcome = await seed_engine.workflows.get_outcome(handle.id, timeout_seconds=30)
    assert outcome.status.value == "CANCELED"
    assert ledger.calls(handle.id) == ["charge_payment", "refund_payment"]
    again = await seed_http.delete(f"/orders/{order_id}")
    assert again.status_code == 409
    assert again.json()["error"]["type"] == "RunNotRunning"


async def test_a_finished_order_cannot_be_cancelled(seed_http: httpx.AsyncClient) -> None:
    order_id = (await seed_http.post("/orders", json=ORDER)).json()["order_id"]
    response = await seed_http.delete(f"/orders/{order_id}")
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == f"run 'order-{order_id}' is COMPLETED; it takes no cancellation"
    )


async def test_reminders_are_sent_after_their_delay(
    seed_http: httpx.AsyncClient, seed_engine: TemporalEngine
) -> None:
    response = await seed_http.post(
        "/reminders", json={"user_id": "u-9", "message": "stand up", "delay_seconds": 0.5}
    )
    reminder_id = response.json()["reminder_id"]
    assert reminder_id.startswith("reminder-u-9-")
    status = await seed_engine.workflows.get_status(reminder_id)
    assert status.execution_time is not None and status.start_time is not None
    assert (status.execution_time - status.start_time).total_seconds() >= 0.5
    result = await seed_engine.workflows.get_result(reminder_id, timeout_seconds=30)
    assert result == {"user_id": "u-9", "message": "stand up", "status": "sent"}
    assert ledger.calls(reminder_id) == ["send_reminder"]


async def test_approvals_approve_reject_query_and_time_out(
    seed_http: httpx.AsyncClient, seed_engine: TemporalEngine
) -> None:
    approved = (await seed_http.post("/approvals", json={"details": {"amount": 10}})).json()["workflow_id"]
    rejected = (await seed_http.post("/approvals", json={})).json()["workflow_id"]
    expired = (await seed_http.post("/approvals", json={"timeout_seconds": 0.5})).json()["workflow_id"]
    assert (await seed_http.get(f"/approvals/{approved}/is_approved")).json() == {"approved": False}
    assert (await seed_http.post(f"/approvals/{approved}/approve")).json() == {"status": "approved"}
    assert (await seed_http.post(f"/approvals/{rejected}/reject", params={"reason": "duplicate"})).json() == {
        "status": "rejected"
    }

    async def is_approved() -> bool:
        return (await seed_http.get(f"/approvals/{approved}/is_approved")).json()["approved"]

    await eventually(is_approved, what="the approval to be seen by the query")
    result = await seed_engine.workflows.get_result(approved, timeout_seconds=30)
    assert result["status"] == "approved"
    assert result["result"]["status"] == "executed"
    assert await seed_engine.workflows.get_result(rejected, timeout_seconds=30) == {
        "status": "rejected",
        "reason": "duplicate",
    }
    assert await seed_engine.workflows.query(rejected, "get_rejection_reason") == "duplicate"
    assert await seed_engine.workflows.get_result(expired, timeout_seconds=30) == {
        "status": "timeout",
        "approved": False,
    }
    unknown = await seed_http.post("/approvals/nope/approve")
    assert unknown.status_code == 404
    closed = await seed_http.post(f"/approvals/{approved}/approve")
    assert closed.status_code == 409


async def test_bookings_succeed_or_compensate_in_reverse(seed_http: httpx.AsyncClient) -> None:
    booked = (
        await seed_http.post(
            "/bookings", json={"user_id": "u-1", "hotel_id": "H-1", "flight_id": "F-1", "total": 420.0}
        )
    ).json()
    assert booked["status"] == "success"
    assert booked["payment"]["amount"] == 420.0
    failed = (
        await seed_http.post(
            "/bookings", json={"user_id": "u-2", "hotel_id": "H-2", "flight_id": "F-2", "total": 20_000.0}
        )
    ).json()
    assert failed["status"] == "failed"
    assert failed["compensations_executed"] == 2
    assert "Activity task failed" in failed["error"]
    booking_id = next(e.workflow_id for e in ledger.entries() if e.args == ("u-2", 20_000.0))
    assert ledger.calls(booking_id) == ["reserve_hotel", "reserve_flight", "cancel_flight", "cancel_hotel"]


async def test_datasets_are_processed_in_parallel_batches(
    seed_http: httpx.AsyncClient, seed_engine: TemporalEngine
) -> None:
    dataset = f"sales{uuid.uuid4().hex[:6]}-bad-250"
    result = (
        await seed_http.post(f"/datasets/{dataset}/process", json={"batch_size": 100, "concurrency": 3})
    ).json()
    assert result == {
        "dataset_id": dataset,
        "total_records": 250,
        "batches": 3,
        "processed": 225,
        "failed": 25,
    }
    run = next(
        e.workflow_id for e in ledger.entries() if e.activity == "get_record_count" and e.args == (dataset,)
    )
    calls = [e for e in ledger.entries(run) if e.activity == "process_batch"]
    assert sorted(c.args for c in calls) == [
        (f"{dataset}-batch-0", 0, 100),
        (f"{dataset}-batch-1", 100, 100),
        (f"{dataset}-batch-2", 200, 50),
    ]
    assert seed_engine.client is not None and run is not None
    history = await seed_engine.client.get_workflow_handle(run).fetch_history()
    kinds = [e.event_type for e in history.events]
    scheduled = [i for i, k in enumerate(kinds) if k == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED][1:]
    # All three batches were scheduled in one go, before any of them completed.
    first_done = next(
        i
        for i, k in enumerate(kinds)
        if k == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED and i > scheduled[0]
    )
    assert len(scheduled) == 3 and scheduled[-1] < first_done


async def test_health(seed_http: httpx.AsyncClient) -> None:
    body = (await seed_http.get("/health")).json()
    assert body["status"] == "healthy"
    assert body["temporal"]["worker"]["code_workflows"] == [
        "ApprovalWorkflow",
        "BookingSagaWorkflow",
        "DataProcessingWorkflow",
        "OrderProcessingWorkflow",
        "SendReminderWorkflow",
    ]
    assert "order_processing" in body["temporal"]["definitions"]["loaded"]
