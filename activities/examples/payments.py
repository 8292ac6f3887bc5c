"""Example payment service: charge and refund."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.activities import register

from . import simulation
from ._common import effects, stable_id
from .ledger import ledger

DECLINE_ABOVE = 10_000


@register
async def charge_payment(
    user_id: str, amount: float, simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Charge ``amount`` to ``user_id``. Amounts above 10,000 are declined (``PaymentDeclined``). The
    request carries the call's idempotency key: a charge that runs again returns the first one's result."""
    key = effects.key()
    if (done := effects.seen(key)) is not None:
        ledger.record("charge_payment", (user_id, amount), "deduplicated", done)
        return dict(done)
    try:
        await simulation.apply(simulate, "charge_payment")
        if amount <= 0 or amount > DECLINE_ABOVE:
            raise ApplicationError(
                f"payment of {amount} for {user_id} declined", type="PaymentDeclined", non_retryable=True
            )
    except ApplicationError:
        ledger.record("charge_payment", (user_id, amount), "failed")
        raise
    result = {"transaction_id": stable_id("txn", user_id, amount), "status": "success", "amount": amount}
    effects.remember(key, result)
    ledger.record("charge_payment", (user_id, amount), "ok", result)
    return result


@register
async def refund_payment(transaction_id: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Refund a previous charge (the compensation of ``charge_payment``), once per idempotency key."""
    key = effects.key()
    if (done := effects.seen(key)) is not None:
        ledger.record("refund_payment", (transaction_id,), "deduplicated", done)
        return dict(done)
    try:
        await simulation.apply(simulate, "refund_payment")
    except ApplicationError:
        ledger.record("refund_payment", (transaction_id,), "failed")
        raise
    result = {
        "refund_id": stable_id("rfd", transaction_id),
        "transaction_id": transaction_id,
        "status": "refunded",
    }
    effects.remember(key, result)
    ledger.record("refund_payment", (transaction_id,), "ok", result)
    return result
