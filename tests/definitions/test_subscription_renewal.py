"""definitions/subscription_renewal.yaml on the real dev server: a while loop of periods, each renewal an
order_processing child workflow; a cancel signal stops it; a declined payment ends it and tells the
customer."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tdsl.activities.examples import ledger
from tests.support import harness

from .helpers import events, unique, wait_for_signal_wait


def subscription(**changes: Any) -> dict[str, Any]:
    base = {
        "subscription_id": unique("S"),
        "user_id": "user-9",
        "email": "lin@example.com",
        "plan": "PLAN-PRO",
        "price": 12.0,
    }
    return {**base, **changes}


async def test_renews_every_period_up_to_the_limit(client: Client, task_queue: str) -> None:
    sub = subscription(period="200ms", max_renewals=3)
    async with harness(client, task_queue) as h:
        handle = await h.start("subscription_renewal", sub)
        result = await handle.result()
        history = await events(handle)
        children = [
            e.start_child_workflow_execution_initiated_event_attributes
            for e in history
            if e.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
        ]
        child_results = [await client.get_workflow_handle(c.workflow_id).result() for c in children]
    assert [c.workflow_type.name for c in children] == ["order_processing"] * 3
    assert [c.workflow_id for c in children] == [f"{handle.id}/renewal-{n}" for n in (1, 2, 3)]
    assert [r["order_id"] for r in child_results] == [f"{sub['subscription_id']}-{n}" for n in (1, 2, 3)]
    assert result == {
        "subscription_id": sub["subscription_id"],
        "status": "completed",
        "renewals": 3,
        "transactions": [r["transaction_id"] for r in child_results],
        "cancel_reason": None,
    }
    for child in children:
        assert ledger.calls(child.workflow_id) == ["charge_payment", "reserve_inventory", "send_email"]


async def test_cancel_signal_stops_the_subscription(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("subscription_renewal", subscription(period="1h"))
        await wait_for_signal_wait(handle)
        assert await h.runs.query(handle.id, "status") == "active"
        await h.runs.signal(handle.id, "cancel", {"reason": "moving to another plan"})
        result = await h.runs.result(handle.id)
        assert await h.runs.query(handle.id, "renewals") == 0
    assert (result["status"], result["renewals"], result["cancel_reason"]) == (
        "cancelled",
        0,
        "moving to another plan",
    )
    assert ledger.calls(handle.id) == []


async def test_declined_renewal_ends_the_subscription_and_tells_the_customer(
    client: Client, task_queue: str
) -> None:
    sub = subscription(period="100ms", price=20_000)
    async with harness(client, task_queue) as h:
        handle = await h.start("subscription_renewal", sub)
        result = await handle.result()
    assert (result["status"], result["renewals"], result["transactions"]) == ("payment_failed", 0, [])
    email = next(e for e in ledger.entries(handle.id) if e.activity == "send_email")
    assert email.args == (
        "lin@example.com",
        "Subscription payment failed",
        f"We could not renew subscription {sub['subscription_id']}: the payment of 20000 was declined.",
    )
