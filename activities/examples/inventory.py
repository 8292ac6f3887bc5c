"""Example inventory service: reserve and release items.

Magic skus stand in for real stock situations: a sku starting with ``OUT-OF-STOCK`` cannot be reserved
(``OutOfStock``, not retryable); one starting with ``SLOW-`` is confirmed by a distant warehouse and takes
:data:`SLOW_SECONDS`, heartbeating, so a run can be cancelled while it waits.
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.activities import register

from . import simulation
from ._common import stable_id
from .ledger import ledger

OUT_OF_STOCK_PREFIX = "OUT-OF-STOCK"
SLOW_PREFIX = "SLOW-"
SLOW_SECONDS = 10.0


def _sku(item: Any) -> str:
    return str(item.get("sku", item.get("id", ""))) if isinstance(item, dict) else str(item)


@register
def reserve_inventory(items: list[Any], simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reserve ``items`` (a sync activity: it runs in the worker's thread pool). An item whose sku starts
    with ``OUT-OF-STOCK`` fails with ``OutOfStock``; one starting with ``SLOW-`` takes ten seconds."""
    try:
        simulation.apply_sync(simulate, "reserve_inventory")
        if any(_sku(i).startswith(SLOW_PREFIX) for i in items):
            simulation.sleep_sync(SLOW_SECONDS)
        missing = [_sku(i) for i in items if _sku(i).startswith(OUT_OF_STOCK_PREFIX)]
        if missing:
            raise ApplicationError(
                f"out of stock: {', '.join(missing)}", type="OutOfStock", non_retryable=True
            )
    except ApplicationError:
        ledger.record("reserve_inventory", (items,), "failed")
        raise
    result = {"reservation_id": stable_id("inv", items), "items": len(items), "status": "reserved"}
    ledger.record("reserve_inventory", (items,), "ok", result)
    return result


@register
def release_inventory(reservation_id: str) -> dict[str, Any]:
    """Release a reservation (the compensation of ``reserve_inventory``)."""
    result = {"reservation_id": reservation_id, "status": "released"}
    ledger.record("release_inventory", (reservation_id,), "ok", result)
    return result
