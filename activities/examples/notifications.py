"""Example notification service: email and reminders."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.activities import register

from . import simulation
from .ledger import ledger


@register
async def send_email(to: str, subject: str, body: str, simulate: dict[str, Any] | None = None) -> bool:
    """Send an email. An address without ``@`` fails with ``InvalidAddress`` (not retryable)."""
    try:
        await simulation.apply(simulate, "send_email")
        if "@" not in to:
            raise ApplicationError(f"invalid email address {to!r}", type="InvalidAddress", non_retryable=True)
    except ApplicationError:
        ledger.record("send_email", (to, subject, body), "failed")
        raise
    ledger.record("send_email", (to, subject, body), "ok", True)
    return True


@register
async def send_reminder(user_id: str, message: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Deliver a reminder to a user."""
    await simulation.apply(simulate, "send_reminder")
    result = {"user_id": user_id, "message": message, "status": "sent"}
    ledger.record("send_reminder", (user_id, message), "ok", result)
    return result
