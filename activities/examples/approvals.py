"""Example approval activities: ask for a decision, then carry out the approved action."""

from __future__ import annotations

from typing import Any

from tdsl.activities import register

from . import simulation
from ._common import stable_id
from .ledger import ledger


@register
async def send_approval_request(
    request: dict[str, Any], simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Notify approvers of ``request``."""
    await simulation.apply(simulate, "send_approval_request")
    result = {"request_id": stable_id("apr", request), "status": "requested"}
    ledger.record("send_approval_request", (request,), "ok", result)
    return result


@register
async def execute_approved_action(
    request: dict[str, Any], simulate: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Carry out the action once approved."""
    await simulation.apply(simulate, "execute_approved_action")
    result = {"action_id": stable_id("act", request), "status": "executed"}
    ledger.record("execute_approved_action", (request,), "ok", result)
    return result
