"""``order_processing`` written by hand as a Temporal workflow: the baseline the DSL is measured against.

It does what ``definitions/order_processing.yaml`` does, with the same activity options as the DSL resolves
them for that definition: charge (start-to-close 30 s, 3 attempts from 1 s, ``PaymentDeclined`` not
retried, refund on a later failure), reserve (20 s), email (10 s); every activity bounded to 3 attempts with
``NotFoundError`` not retried, and a summary per activity as the DSL gives (the step id).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy


def _retry(*non_retryable: str) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_attempts=3,
        non_retryable_error_types=[*non_retryable, "NotFoundError"],
    )


@workflow.defn(name="order_processing_handwritten")
class HandwrittenOrder:
    """Charge, reserve, confirm by email; refund the charge when a later step fails."""

    @workflow.run
    async def run(self, order: dict[str, Any]) -> dict[str, Any]:
        payment = await workflow.execute_activity(
            "charge_payment",
            args=[order["user_id"], order["total"]],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_retry("PaymentDeclined"),
            summary="payment",
        )
        try:
            await workflow.execute_activity(
                "reserve_inventory",
                args=[order["items"]],
                start_to_close_timeout=timedelta(seconds=20),
                retry_policy=_retry(),
                summary="inventory",
            )
            await workflow.execute_activity(
                "send_email",
                args=[order["email"], "Order Confirmed", f"Your order {order['order_id']} is confirmed!"],
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=_retry(),
                summary="confirmation",
            )
        except Exception:
            await workflow.execute_activity(
                "refund_payment",
                args=[payment["transaction_id"]],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_retry(),
            )
            raise
        return {
            "order_id": order["order_id"],
            "status": "completed",
            "transaction_id": payment["transaction_id"],
        }
