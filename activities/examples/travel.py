"""Example travel services: hotel and flight reservations and their cancellations.

Magic ids stand in for real situations: a hotel or flight id starting with ``FULL`` is fully booked
(``NoAvailability``, not retryable); one starting with ``NONREF`` is a non-refundable rate: it can be
reserved, but cancelling the reservation fails with ``CancellationRefused`` (not retryable).
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.activities import register

from . import simulation
from ._common import effects, stable_id
from .ledger import ledger

UNAVAILABLE_PREFIX = "FULL"
NON_REFUNDABLE_PREFIX = "NONREF"
_NON_REFUNDABLE_TAG = "_nonref_"


async def _reserve(kind: str, resource_id: str, simulate: dict[str, Any] | None) -> dict[str, Any]:
    name = f"reserve_{kind}"
    key = effects.key()
    if (done := effects.seen(key)) is not None:  # the same request again: the first one's reservation
        ledger.record(name, (resource_id,), "deduplicated", done)
        return dict(done)
    try:
        await simulation.apply(simulate, name)
        if str(resource_id).startswith(UNAVAILABLE_PREFIX):
            raise ApplicationError(
                f"{kind} {resource_id} is fully booked", type="NoAvailability", non_retryable=True
            )
    except ApplicationError:
        ledger.record(name, (resource_id,), "failed")
        raise
    prefix = kind[:3]
    if str(resource_id).startswith(NON_REFUNDABLE_PREFIX):
        prefix = f"{prefix}_nonref"  # the reservation id says it cannot be cancelled: "fli_nonref_<digest>"
    result = {
        "reservation_id": stable_id(prefix, resource_id),
        f"{kind}_id": resource_id,
        "status": "reserved",
    }
    effects.remember(key, result)
    ledger.record(name, (resource_id,), "ok", result)
    return result


async def _cancel(kind: str, reservation_id: str, simulate: dict[str, Any] | None) -> dict[str, Any]:
    name = f"cancel_{kind}"
    key = effects.key()
    if (done := effects.seen(key)) is not None:  # cancelled already by an earlier run of this call
        ledger.record(name, (reservation_id,), "deduplicated", done)
        return dict(done)
    try:
        await simulation.apply(simulate, name)
        if _NON_REFUNDABLE_TAG in reservation_id:
            raise ApplicationError(
                f"{kind} reservation {reservation_id} is non-refundable",
                type="CancellationRefused",
                non_retryable=True,
            )
    except ApplicationError:
        ledger.record(name, (reservation_id,), "failed")
        raise
    result = {"reservation_id": reservation_id, "status": "cancelled"}
    effects.remember(key, result)
    ledger.record(name, (reservation_id,), "ok", result)
    return result


@register
async def reserve_hotel(hotel_id: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reserve a hotel room; a hotel id starting with ``FULL`` fails with ``NoAvailability``."""
    return await _reserve("hotel", hotel_id, simulate)


@register
async def cancel_hotel(reservation_id: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cancel a hotel reservation (compensation)."""
    return await _cancel("hotel", reservation_id, simulate)


@register
async def reserve_flight(flight_id: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Reserve a flight seat; a flight id starting with ``FULL`` fails with ``NoAvailability``."""
    return await _reserve("flight", flight_id, simulate)


@register
async def cancel_flight(reservation_id: str, simulate: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cancel a flight reservation (compensation)."""
    return await _cancel("flight", reservation_id, simulate)
