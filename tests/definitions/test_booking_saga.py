"""definitions/booking_saga.yaml on the real dev server: the trip is booked, or what was reserved is
cancelled in reverse order and the run returns the seed's failure answer, even when a cancellation fails."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client

from tdsl.activities.examples import ledger
from tests.support import harness

from .helpers import unique


def booking(**changes: Any) -> dict[str, Any]:
    base = {
        "booking_id": unique("B"),
        "user_id": "user-7",
        "hotel_id": "H-LISBON",
        "flight_id": "F-TP123",
        "total": 1250.0,
    }
    return {**base, **changes}


def ok_result(workflow_id: str, name: str) -> Any:
    return next(e.result for e in ledger.entries(workflow_id) if e.activity == name and e.outcome == "ok")


def trail(workflow_id: str) -> list[tuple[str, str]]:
    return [(e.activity, e.outcome) for e in ledger.entries(workflow_id)]


async def test_trip_is_booked(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("booking_saga", booking())
        result = await handle.result()
    assert result == {
        "status": "success",
        "hotel_reservation": ok_result(handle.id, "reserve_hotel"),
        "flight_reservation": ok_result(handle.id, "reserve_flight"),
        "payment": ok_result(handle.id, "charge_payment"),
    }
    assert result["hotel_reservation"]["hotel_id"] == "H-LISBON"
    assert result["flight_reservation"]["flight_id"] == "F-TP123"
    assert result["payment"]["amount"] == 1250.0
    assert ledger.calls(handle.id) == ["reserve_hotel", "reserve_flight", "charge_payment"]


async def test_declined_payment_cancels_flight_then_hotel(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("booking_saga", booking(total=15_000))
        result = await handle.result()
        status = (await h.runs.describe(handle.id))["status"]
    hotel = ok_result(handle.id, "reserve_hotel")["reservation_id"]
    flight = ok_result(handle.id, "reserve_flight")["reservation_id"]
    assert trail(handle.id) == [
        ("reserve_hotel", "ok"),
        ("reserve_flight", "ok"),
        ("charge_payment", "failed"),
        ("cancel_flight", "ok"),
        ("cancel_hotel", "ok"),
    ]
    assert [e.args for e in ledger.entries(handle.id) if e.activity.startswith("cancel_")] == [
        (flight,),
        (hotel,),
    ]
    assert status == "COMPLETED"  # the saga answers with its failure output, as the seed's workflow does
    assert result == {
        "status": "failed",
        "error": "PaymentDeclined: payment of 15000.0 for user-7 declined",
        "failed_step": "payment",
        "compensations_executed": 2,
        "compensations": [
            {
                "step": "flight",
                "activity": "cancel_flight",
                "status": "completed",
                "result": {"reservation_id": flight, "status": "cancelled"},
            },
            {
                "step": "hotel",
                "activity": "cancel_hotel",
                "status": "completed",
                "result": {"reservation_id": hotel, "status": "cancelled"},
            },
        ],
    }


async def test_full_flight_cancels_only_the_hotel(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        result = await h.execute("booking_saga", booking(flight_id="FULL-TP999"))
    assert result["status"] == "failed"
    assert result["error"] == "NoAvailability: flight FULL-TP999 is fully booked"
    assert result["failed_step"] == "flight"
    assert result["compensations_executed"] == 1
    assert [c["activity"] for c in result["compensations"]] == ["cancel_hotel"]


async def test_full_hotel_has_nothing_to_cancel(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("booking_saga", booking(hotel_id="FULL-H1"))
        result = await handle.result()
    assert (result["status"], result["compensations_executed"], result["compensations"]) == ("failed", 0, [])
    assert trail(handle.id) == [("reserve_hotel", "failed")]


async def test_a_failing_cancellation_is_reported_and_the_others_still_run(
    client: Client, task_queue: str
) -> None:
    # A non-refundable fare can be booked but not cancelled.
    async with harness(client, task_queue) as h:
        handle = await h.start("booking_saga", booking(flight_id="NONREF-TP123", total=15_000))
        result = await handle.result()
    flight = ok_result(handle.id, "reserve_flight")["reservation_id"]
    assert trail(handle.id) == [
        ("reserve_hotel", "ok"),
        ("reserve_flight", "ok"),
        ("charge_payment", "failed"),
        ("cancel_flight", "failed"),
        ("cancel_hotel", "ok"),
    ]
    assert result["status"] == "failed" and result["compensations_executed"] == 2
    flight_undo, hotel_undo = result["compensations"]
    assert flight_undo == {
        "step": "flight",
        "activity": "cancel_flight",
        "status": "failed",
        "error": {"type": "CancellationRefused", "message": f"flight reservation {flight} is non-refundable"},
    }
    assert (hotel_undo["activity"], hotel_undo["status"]) == ("cancel_hotel", "completed")
