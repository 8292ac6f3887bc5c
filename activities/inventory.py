"""Example inventory service: reserve and release items."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from . import simulation
from ._common import stable_id
from .ledger import ledger
from .registry import register

OUT_OF_STOCK_PREFIX = "OUT-OF-STOCK"


def _sku(item: Any) -> str:
    return str(item.get("sku", item.get("id", ""))) if isinstance(item, dict) else str(item)


@register
def reserve_inventory(items: list[Any], simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reserve ``items`` (a sync activity: it runs in the worker's thread pool). An item whose sku starts
    with ``OUT-OF-STOCK`` fails with ``OutOfStock``."""
    import asyncio

    try:
        asyncio.run(simulation.apply(simulate, "reserve_inventory")) if simulate else None
        missing = [_sku(i) for i in items if _sku(i).startswith(OUT_OF_STOCK_PREFIX)]
        if missing:
            raise ApplicationError(f"out of stock: {', '.join(missing)}", type="OutOfStock", non_retryable=True)
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
