"""The usage guide's FastAPI app, runnable as is against ``tdsl dev``.

Start the dev stack in one terminal and this app in another (from the repository root)::

    tdsl dev
    uvicorn examples.seed_app:app --port 8001        # or: python examples/seed_app.py

    curl -s localhost:8001/orders -H 'content-type: application/json' -d '{"user_id": "u-1",
         "items": [{"sku": "BOOK-1", "quantity": 1}], "total": 12.5, "email": "ada@example.com"}'

It is the guide's code with its bugs fixed: ``lifespan`` instead of the deprecated ``on_event``; the
``BookingSagaWorkflow`` name; data batches processed really in parallel and given their records; the
builtin ``TimeoutError`` around ``wait_condition``; ``temporalio.common.RetryPolicy`` (``workflow`` has none);
bounded retries (Temporal's default retries forever, which would stall the saga); 404/409 instead of 500
for unknown or closed runs; the health check is a plain call. The engine's own error handlers turn its
errors into JSON answers with the right status.

The code-defined workflows run on their own task queue (``seed-app``, or ``$TEMPORAL_TASK_QUEUE``): the
worker of ``tdsl dev`` does not know these classes. On a shared queue it leaves their tasks to this app's
worker (docs/OPERATIONS.md), but each one it picks up first waits for Temporal's retry. This app's worker
runs both, so the YAML definitions (``order_processing``, ``approval``...) can be started here too. The Web
UI is at http://localhost:8233.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy

from tdsl.activities.examples import data, notifications, payments
from tdsl.activities.examples.approvals import execute_approved_action, send_approval_request
from tdsl.activities.examples.inventory import reserve_inventory
from tdsl.activities.examples.travel import reserve_flight, reserve_hotel
from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import UnknownRun
from tdsl.server.http.errors import install_error_handlers

logger = logging.getLogger("seed_app")

# Create a singleton instance (config.yaml + environment; see config.example.yaml).
temporal = TemporalEngine(task_queue=os.environ.get("TEMPORAL_TASK_QUEUE", "seed-app"))


# ---------------------------------------------------------------------------------------------- activities
@temporal.activities.register
async def send_email(to: str, subject: str, body: str) -> bool:
    """Send an email using your email service."""
    logger.info("Sending email to %s", to)
    return await notifications.send_email(to, subject, body)


@temporal.activities.register
async def charge_payment(
    user_id: str, amount: float, simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Charge a payment (``simulate`` lets a demo make it fail; see activities/simulation.py)."""
    logger.info("Charging $%s to user %s", amount, user_id)
    return await payments.charge_payment(user_id, amount, simulate)


@temporal.activities.register
async def process_batch(batch_id: str, start: int, size: int) -> dict[str, Any]:
    """Process the records ``start .. start+size-1`` of a dataset (loaded by the activity, not carried
    through the workflow history)."""
    return await data.process_batch(batch_id, start, size)


@temporal.activities.register
async def get_record_count(dataset_id: str) -> int:
    return await data.get_record_count(dataset_id)


@temporal.activities.register
async def send_reminder(user_id: str, message: str) -> dict[str, Any]:
    return await notifications.send_reminder(user_id, message)


# ---------------------------------------------------------------------------------------------- workflows
SHORT_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1))


@temporal.workers.register_workflow
@workflow.defn
class OrderProcessingWorkflow:
    """Workflow to process an order from payment to fulfillment."""

    @workflow.run
    async def run(self, order_data: dict[str, Any]) -> dict[str, Any]:
        order_id = order_data["order_id"]
        workflow.logger.info("Processing order: %s", order_id)
        payment_result = await workflow.execute_activity(
            charge_payment,
            args=[order_data["user_id"], order_data["total"]],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1)),
        )
        await workflow.execute_activity(
            reserve_inventory,
            args=[order_data["items"]],
            start_to_close_timeout=timedelta(seconds=20),
            retry_policy=SHORT_RETRY,
        )
        await workflow.execute_activity(
            send_email,
            args=[order_data["email"], "Order Confirmed", f"Your order {order_id} is confirmed!"],
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=SHORT_RETRY,
        )
        return {
            "order_id": order_id,
            "status": "completed",
            "transaction_id": payment_result["transaction_id"],
        }


@temporal.workers.register_workflow
@workflow.defn
class SendReminderWorkflow:
    """Send a reminder (started with a delay by ``temporal.workflows.schedule``)."""

    @workflow.run
    async def run(self, reminder: dict[str, Any]) -> dict[str, Any]:
        return await workflow.execute_activity(
            send_reminder,
            args=[reminder["user_id"], reminder["message"]],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=SHORT_RETRY,
        )


@temporal.workers.register_workflow
@workflow.defn
class DataProcessingWorkflow:
    """Process large datasets in parallel batches."""

    @workflow.run
    async def run(self, dataset_id: str, batch_size: int = 100, concurrency: int = 4) -> dict[str, Any]:
        total_records = await workflow.execute_activity(
            get_record_count,
            args=[dataset_id],
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=SHORT_RETRY,
        )
        limit = asyncio.Semaphore(concurrency)  # replays deterministically: tasks run in creation order

        async def batch(number: int, start: int) -> dict[str, Any]:
            async with limit:
                return await workflow.execute_activity(
                    process_batch,
                    args=[f"{dataset_id}-batch-{number}", start, min(batch_size, total_records - start)],
                    start_to_close_timeout=timedelta(minutes=10),
                    retry_policy=SHORT_RETRY,
                )

        starts = range(0, total_records, batch_size)
        results = await asyncio.gather(*(batch(n, start) for n, start in enumerate(starts)))
        return {
            "dataset_id": dataset_id,
            "total_records": total_records,
            "batches": len(results),
            "processed": sum(r["processed"] for r in results),
            "failed": sum(r["failed"] for r in results),
        }


@temporal.workers.register_workflow
@workflow.defn
class ApprovalWorkflow:
    """Workflow that waits for human approval."""

    def __init__(self) -> None:
        self._approved = False
        self._rejection_reason: str | None = None

    @workflow.run
    async def run(self, request_data: dict[str, Any]) -> dict[str, Any]:
        await workflow.execute_activity(
            send_approval_request,
            args=[request_data],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=SHORT_RETRY,
        )
        try:
            await workflow.wait_condition(
                lambda: self._approved or self._rejection_reason is not None,
                timeout=timedelta(seconds=float(request_data.get("timeout_seconds", 24 * 3600))),
            )
        except TimeoutError:  # what wait_condition raises (the builtin, not asyncio's on older Pythons)
            return {"status": "timeout", "approved": False}
        if self._approved:
            result = await workflow.execute_activity(
                execute_approved_action,
                args=[request_data],
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=SHORT_RETRY,
            )
            return {"status": "approved", "result": result}
        return {"status": "rejected", "reason": self._rejection_reason}

    @workflow.signal
    async def approve(self) -> None:
        self._approved = True

    @workflow.signal
    async def reject(self, reason: str) -> None:
        self._rejection_reason = reason

    @workflow.query
    def is_approved(self) -> bool:
        return self._approved

    @workflow.query
    def get_rejection_reason(self) -> str | None:
        return self._rejection_reason


@temporal.workers.register_workflow
@workflow.defn
class BookingSagaWorkflow:
    """Saga pattern for booking with compensating transactions."""

    @workflow.run
    async def run(self, booking_data: dict[str, Any]) -> dict[str, Any]:
        compensations: list[tuple[str, list[Any]]] = []
        try:
            hotel_result = await workflow.execute_activity(
                reserve_hotel,
                args=[booking_data["hotel_id"]],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SHORT_RETRY,
            )
            compensations.append(("cancel_hotel", [hotel_result["reservation_id"]]))
            flight_result = await workflow.execute_activity(
                reserve_flight,
                args=[booking_data["flight_id"]],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SHORT_RETRY,
            )
            compensations.append(("cancel_flight", [flight_result["reservation_id"]]))
            payment_result = await workflow.execute_activity(
                charge_payment,
                args=[booking_data["user_id"], booking_data["total"]],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SHORT_RETRY,
            )
            return {
                "status": "success",
                "hotel_reservation": hotel_result,
                "flight_reservation": flight_result,
                "payment": payment_result,
            }
        except Exception as e:
            workflow.logger.error("Booking failed, running compensations: %s", e)
            for activity_name, args in reversed(compensations):
                try:
                    await workflow.execute_activity(
                        activity_name,
                        args=args,
                        start_to_close_timeout=timedelta(seconds=30),
                        retry_policy=RetryPolicy(maximum_attempts=10, initial_interval=timedelta(seconds=1)),
                    )
                except Exception as comp_error:
                    workflow.logger.error("Compensation failed: %s", comp_error)
            return {"status": "failed", "error": str(e), "compensations_executed": len(compensations)}


# ---------------------------------------------------------------------------------------------- the app
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await temporal.start()
    try:
        yield
    finally:
        await temporal.stop()


app = FastAPI(title="Temporal DSL: usage guide app", lifespan=lifespan)
install_error_handlers(app)  # UnknownRun -> 404, RunNotRunning -> 409, InvalidInput -> 422, ...


class OrderRequest(BaseModel):
    user_id: str
    items: list[dict[str, Any]]
    total: float
    email: str


class OrderResponse(BaseModel):
    order_id: str
    status: str
    transaction_id: str


class ReminderRequest(BaseModel):
    user_id: str
    message: str
    delay_seconds: float = Field(default=86400, ge=0)


class ApprovalRequest(BaseModel):
    request_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    details: dict[str, Any] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=24 * 3600, gt=0)


class BookingRequest(BaseModel):
    user_id: str
    hotel_id: str
    flight_id: str
    total: float


class DatasetRequest(BaseModel):
    batch_size: int = Field(default=100, ge=1)
    concurrency: int = Field(default=4, ge=1, le=100)


def order_args(order_id: str, order: OrderRequest) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "user_id": order.user_id,
        "items": order.items,
        "total": order.total,
        "email": order.email,
    }


@app.post("/orders")
async def create_order(order: OrderRequest) -> OrderResponse:
    """Create and process an order (waits for the result)."""
    order_id = str(uuid.uuid4())
    result = await temporal.workflows.execute(
        "OrderProcessingWorkflow",
        args=order_args(order_id, order),
        workflow_id=f"order-{order_id}",
        timeout_seconds=300,
    )
    return OrderResponse(
        order_id=result["order_id"], status=result["status"], transaction_id=result["transaction_id"]
    )


@app.post("/orders/async")
async def create_order_async(order: OrderRequest) -> dict[str, Any]:
    """Create an order for background processing."""
    order_id = str(uuid.uuid4())
    handle = await temporal.workflows.start(
        "OrderProcessingWorkflow", args=order_args(order_id, order), workflow_id=f"order-{order_id}"
    )
    return {"order_id": order_id, "workflow_id": handle.id, "message": "Order is being processed"}


@app.get("/orders/{order_id}/status")
async def get_order_status(order_id: str) -> dict[str, Any]:
    """Get the status of an order workflow (404 when there is none)."""
    try:
        status = await temporal.workflows.get_status(f"order-{order_id}")
    except UnknownRun as e:
        raise HTTPException(status_code=404, detail=f"Order not found: {e}") from None
    return {
        "order_id": order_id,
        "workflow_status": status.status.value,
        "workflow_type": status.workflow_type,
        "start_time": status.start_time,
        "close_time": status.close_time,
    }


@app.get("/orders/{order_id}/result")
async def get_order_result(order_id: str) -> Any:
    """Get the result of an order workflow; still running is an answer, not an error."""
    try:
        return await temporal.workflows.get_result(f"order-{order_id}", timeout_seconds=30)
    except TimeoutError:
        return {"status": "still_processing"}
    # Unknown orders answer 404 and failed ones 409 through the installed error handlers.


@app.delete("/orders/{order_id}")
async def cancel_order(order_id: str) -> dict[str, Any]:
    """Cancel an order that's being processed (404 unknown, 409 already finished)."""
    await temporal.workflows.cancel(f"order-{order_id}")
    return {"order_id": order_id, "status": "cancelled"}


@app.post("/reminders")
async def schedule_reminder(reminder: ReminderRequest) -> dict[str, Any]:
    """Schedule a reminder to be sent later (in 24 hours unless ``delay_seconds`` says otherwise)."""
    handle = await temporal.workflows.schedule(
        "SendReminderWorkflow",
        args={"user_id": reminder.user_id, "message": reminder.message},
        delay_seconds=reminder.delay_seconds,
        workflow_id=f"reminder-{reminder.user_id}-{time.time_ns()}",
    )
    return {
        "reminder_id": handle.id,
        "scheduled_for": datetime.now() + timedelta(seconds=reminder.delay_seconds),
    }


@app.post("/approvals")
async def request_approval(request: ApprovalRequest) -> dict[str, Any]:
    """Start an approval that waits for a decision."""
    handle = await temporal.workflows.start(
        "ApprovalWorkflow",
        args={"id": request.request_id, **request.details, "timeout_seconds": request.timeout_seconds},
        workflow_id=f"approval-{request.request_id}",
    )
    return {"workflow_id": handle.id, "status": "pending"}


@app.post("/approvals/{workflow_id}/approve")
async def approve_request(workflow_id: str) -> dict[str, Any]:
    """Approve a pending request."""
    await temporal.workflows.signal(workflow_id, "approve")
    return {"status": "approved"}


@app.post("/approvals/{workflow_id}/reject")
async def reject_request(workflow_id: str, reason: str) -> dict[str, Any]:
    """Reject a pending request (``?reason=...``)."""
    await temporal.workflows.signal(workflow_id, "reject", reason)
    return {"status": "rejected"}


@app.get("/approvals/{workflow_id}/is_approved")
async def check_approval_status(workflow_id: str) -> dict[str, Any]:
    """Check whether a request has been approved (a query: reads state, changes nothing)."""
    return {"approved": await temporal.workflows.query(workflow_id, "is_approved")}


@app.post("/bookings")
async def book_trip(booking: BookingRequest) -> dict[str, Any]:
    """Book hotel, flight and payment; a failure undoes what was booked."""
    return await temporal.workflows.execute(
        "BookingSagaWorkflow",
        args=booking.model_dump(),
        workflow_id=f"booking-{uuid.uuid4()}",
        timeout_seconds=300,
    )


@app.post("/datasets/{dataset_id}/process")
async def process_dataset(dataset_id: str, options: DatasetRequest) -> dict[str, Any]:
    """Process a dataset in parallel batches (waits for the result)."""
    return await temporal.workflows.execute(
        "DataProcessingWorkflow",
        args=[dataset_id, options.batch_size, options.concurrency],
        workflow_id=f"dataset-{dataset_id}-{uuid.uuid4().hex[:8]}",
        timeout_seconds=600,
    )


@app.get("/health")
async def health_check() -> dict[str, Any]:
    """Check application and Temporal health."""
    temporal_health = temporal.health_check()
    return {
        "status": "healthy" if temporal.is_ready else "degraded",
        "temporal": temporal_health,
        "timestamp": datetime.now().isoformat(),
    }


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8001")))
