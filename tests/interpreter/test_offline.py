"""Definitions run offline (interpreter.offline): mocked activities on a virtual clock, no server.

Each test runs a definition of ``definitions/`` (or a small one of its own) to its end in milliseconds of
real time, however long its waits, and checks the output or failure, the activity calls made and the
compensations.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from tdsl.activities.modules import load_modules
from tdsl.activities.registry import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog, load_definition_text
from tdsl.dsl_schema.payloads import PayloadError
from tdsl.interpreter import OfflineResult, run_offline, run_offline_sync

CATALOG = Catalog.load(Path(__file__).resolve().parents[2] / "definitions")
START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)

ORDER = {
    "order_id": "A-1",
    "user_id": "user-1",
    "items": [{"sku": "BOOK", "quantity": 2}],
    "total": 42.5,
    "email": "ann@example.com",
}


def shop(**overrides: Any) -> dict[str, Any]:
    """Mock activities of order_processing (and its callers)."""
    mocks: dict[str, Any] = {
        "charge_payment": lambda user, total: {"transaction_id": f"tx-{user}", "amount": total},
        "refund_payment": lambda transaction_id: {"refunded": transaction_id},
        "reserve_inventory": lambda items: {"reservation_id": f"res-{len(items)}"},
        "release_inventory": lambda reservation_id: {"released": reservation_id},
        "send_email": lambda to, subject, body: {"to": to, "subject": subject},
    }
    return {**mocks, **overrides}


def trail(result: OfflineResult) -> list[tuple[str, str]]:
    return [(call.name, call.outcome) for call in result.calls]


# ------------------------------------------------------------------------------------------ order_processing
def test_order_is_processed_with_mock_activities() -> None:
    result = run_offline_sync("order_processing", ORDER, catalog=CATALOG, activities=shop(), start_time=START)
    assert result.status == "completed"
    assert result.output == {"order_id": "A-1", "status": "completed", "transaction_id": "tx-user-1"}
    assert [(c.name, c.args) for c in result.calls] == [
        ("charge_payment", ["user-1", 42.5]),
        ("reserve_inventory", [[{"sku": "BOOK", "quantity": 2}]]),
        ("send_email", ["ann@example.com", "Order Confirmed", "Your order A-1 is confirmed!"]),
    ]
    assert result.workflow_id == "order-A-1"  # the definition's id template, rendered with the input
    assert result.compensations == []
    assert result.elapsed == 0.0


def test_failing_reservation_refunds_the_payment() -> None:
    def out_of_stock(items: list[Any]) -> Any:
        raise ApplicationError("BOOK is sold out", type="OutOfStock")

    result = run_offline_sync(
        CATALOG.entries["order_processing"], ORDER, activities=shop(reserve_inventory=out_of_stock)
    )
    assert result.status == "failed"
    assert result.error is not None and result.error.type == "OutOfStock"
    assert result.failure == (
        "order_processing.yaml:38: step 'inventory' failed: OutOfStock: BOOK is sold out; "
        "compensated: payment (refund_payment: completed)"
    )
    # OutOfStock is non-retryable for this step: one attempt, then the refund with the payment's transaction
    assert trail(result) == [
        ("charge_payment", "completed"),
        ("reserve_inventory", "failed"),
        ("refund_payment", "completed"),
    ]
    assert result.calls_to("refund_payment")[0].args == ["tx-user-1"]
    assert result.compensations == [
        {
            "step": "payment",
            "activity": "refund_payment",
            "status": "completed",
            "result": {"refunded": "tx-user-1"},
        }
    ]


def test_retries_are_counted_and_backoff_is_virtual() -> None:
    seen: list[int] = []

    def flaky(items: list[Any]) -> Any:
        seen.append(len(seen) + 1)
        if len(seen) < 3:
            raise ConnectionError(f"warehouse unreachable (try {len(seen)})")
        return {"reservation_id": "res-late"}

    result = run_offline_sync(
        "order_processing", ORDER, catalog=CATALOG, activities=shop(reserve_inventory=flaky)
    )
    assert result.status == "completed"
    assert result.attempts("reserve_inventory") == 3
    attempts = result.calls_to("reserve_inventory")
    assert [(c.attempt, c.outcome, c.at) for c in attempts] == [
        (1, "failed", 0.0),
        (2, "failed", 1.0),
        (3, "completed", 3.0),
    ]
    assert attempts[0].error == {"type": "ConnectionError", "message": "warehouse unreachable (try 1)"}
    assert result.elapsed == 3.0  # backoff 1s then 2s, in virtual time


def test_exhausted_retries_fail_with_the_last_error_and_compensate() -> None:
    def down(items: list[Any]) -> Any:
        raise RuntimeError("warehouse down")

    result = run_offline_sync(
        "order_processing", ORDER, catalog=CATALOG, activities=shop(reserve_inventory=down)
    )
    assert result.status == "failed"
    assert result.attempts("reserve_inventory") == 3  # maximum_attempts: 3
    assert result.failure == (
        "order_processing.yaml:38: step 'inventory' failed: RuntimeError: warehouse down; "
        "compensated: payment (refund_payment: completed)"
    )
    assert result.activity_names() == ["charge_payment", "refund_payment"]


def test_unknown_activity_fails_at_once_like_a_worker_without_it() -> None:
    mocks = shop()
    del mocks["reserve_inventory"]
    result = run_offline_sync("order_processing", ORDER, catalog=CATALOG, activities=mocks)
    assert result.status == "failed"
    assert result.error is not None and result.error.type == "NotFoundError"
    assert result.error.message == (
        "Activity function reserve_inventory for workflow order-A-1 is not registered on this worker, "
        "available activities: charge_payment, refund_payment, release_inventory, send_email"
    )
    assert result.attempts("reserve_inventory") == 1
    assert result.activity_names() == ["charge_payment", "refund_payment"]


def test_slow_async_mock_times_out_in_virtual_time() -> None:
    async def slow(items: list[Any]) -> Any:
        await asyncio.sleep(3600)  # virtual, like everything on the run's loop
        return {"reservation_id": "never"}

    started = time.perf_counter()
    result = run_offline_sync(
        "order_processing", ORDER, catalog=CATALOG, activities=shop(reserve_inventory=slow)
    )
    assert time.perf_counter() - started < 5
    assert result.status == "failed"
    assert result.failure == (
        "order_processing.yaml:38: step 'inventory' failed: TimeoutError: timed out (START_TO_CLOSE); "
        "compensated: payment (refund_payment: completed)"
    )
    # timeout 20s per attempt, backoff 1s and 2s between the three attempts
    assert [c.at for c in result.calls_to("reserve_inventory")] == [0.0, 21.0, 43.0]
    assert result.elapsed == 63.0


def test_cancelled_run_compensates() -> None:
    async def slow(items: list[Any]) -> Any:
        await asyncio.sleep(15)
        return {"reservation_id": "late"}

    result = run_offline_sync(
        "order_processing", ORDER, catalog=CATALOG, activities=shop(reserve_inventory=slow), cancel_at=10
    )
    assert result.status == "cancelled"
    assert trail(result) == [
        ("charge_payment", "completed"),
        ("reserve_inventory", "cancelled"),
        ("refund_payment", "completed"),
    ]
    assert result.calls_to("refund_payment")[0].at == 10.0


# ------------------------------------------------------------------------------------------ approval
APPROVAL_MOCKS = {
    "send_approval_request": lambda request: {"sent": request["id"]},
    "execute_approved_action": lambda request: {"done": request["id"]},
}


def test_approval_signal_after_an_hour_of_virtual_time() -> None:
    result = run_offline_sync(
        "approval",
        {"request": {"id": "R-1"}},
        catalog=CATALOG,
        activities=APPROVAL_MOCKS,
        signals=[(3600, "approve", {"by": "ann"})],
    )
    assert result.status == "completed"
    assert result.output == {"status": "approved", "result": {"done": "R-1"}}
    assert result.elapsed == 3600.0
    assert result.calls_to("execute_approved_action")[0].at == 3600.0
    assert result.vars == {"approved": True, "rejection_reason": None, "status": "approved"}
    assert result.signals == {"approve": {"by": "ann"}}


def test_approval_times_out_after_24_hours() -> None:
    started = time.perf_counter()
    result = run_offline_sync(
        "approval", {"request": {"id": "R-2"}}, catalog=CATALOG, activities=APPROVAL_MOCKS
    )
    assert time.perf_counter() - started < 5
    assert result.status == "completed"
    assert result.output == {"status": "timeout", "approved": False}
    assert result.elapsed == 24 * 3600.0
    assert result.activity_names() == ["send_approval_request"]


def test_invalid_and_undeclared_signals_are_ignored_like_the_workflow_does() -> None:
    result = run_offline_sync(
        "approval",
        {"request": {"id": "R-3"}, "timeout": "2h"},
        catalog=CATALOG,
        activities=APPROVAL_MOCKS,
        signals=[
            ("10m", "approve", {"by": 7}),
            ("20m", "escalate"),
            ("1h", "reject", {"reason": "too expensive"}),
        ],
    )
    assert result.output == {"status": "rejected", "reason": "too expensive"}
    assert result.elapsed == 3600.0
    assert [(s["signal"], s["reason"]) for s in result.ignored_signals] == [
        ("approve", "payload failed its schema"),
        ("escalate", "signal not declared"),
    ]
    assert result.activity_names() == ["send_approval_request"]


def test_a_run_that_can_never_go_on_is_reported_stalled() -> None:
    definition = {
        "name": "stuck",
        "version": 1,
        "signals": {"go": {}},
        "steps": [
            {"id": "hold", "activity": "hold", "compensate": {"activity": "unhold"}},
            {"id": "gate", "wait_for": {"signals": ["go"]}},
        ],
    }
    result = run_offline_sync(definition, activities={"hold": lambda: "held", "unhold": lambda: "freed"})
    assert result.status == "stalled"
    assert [(w["kind"], w["step"], w["signals"]) for w in result.pending_waits] == [
        ("signal", "gate", ["go"])
    ]
    assert result.compensations == [
        {"step": "hold", "activity": "unhold", "result": "freed", "status": "completed"}
    ]


# ------------------------------------------------------------------------------------------ booking_saga
TRIP = {"booking_id": "B-1", "user_id": "user-7", "hotel_id": "H-1", "flight_id": "F-1", "total": 900.0}


def test_booking_saga_returns_its_failure_output_after_compensating() -> None:
    def declined(user: str, total: float) -> Any:
        raise ApplicationError(f"payment of {total} for {user} declined", type="PaymentDeclined")

    mocks: dict[str, Any] = {
        "reserve_hotel": lambda hotel_id: {"reservation_id": f"hot-{hotel_id}"},
        "reserve_flight": lambda flight_id: {"reservation_id": f"fli-{flight_id}"},
        "charge_payment": declined,
        "cancel_hotel": lambda reservation_id: {"cancelled": reservation_id},
        "cancel_flight": lambda reservation_id: {"cancelled": reservation_id},
    }
    result = run_offline_sync("booking_saga", TRIP, catalog=CATALOG, activities=mocks)
    assert result.status == "completed"  # the saga answers with its failure_output
    assert result.output == {
        "status": "failed",
        "error": "PaymentDeclined: payment of 900.0 for user-7 declined",
        "failed_step": "payment",
        "compensations_executed": 2,
        "compensations": [
            {
                "step": "flight",
                "activity": "cancel_flight",
                "status": "completed",
                "result": {"cancelled": "fli-F-1"},
            },
            {
                "step": "hotel",
                "activity": "cancel_hotel",
                "status": "completed",
                "result": {"cancelled": "hot-H-1"},
            },
        ],
    }
    assert result.attempts("charge_payment") == 1  # PaymentDeclined is non-retryable


def test_example_activity_registry_runs_offline() -> None:
    registry = load_modules(
        ["tdsl.activities.examples.travel", "tdsl.activities.examples.payments"], ActivityRegistry()
    )
    result = run_offline_sync("booking_saga", {**TRIP, "total": 15_000}, catalog=CATALOG, activities=registry)
    assert result.status == "completed"
    assert result.output["error"] == "PaymentDeclined: payment of 15000.0 for user-7 declined"
    assert trail(result) == [
        ("reserve_hotel", "completed"),
        ("reserve_flight", "completed"),
        ("charge_payment", "failed"),
        ("cancel_flight", "completed"),
        ("cancel_hotel", "completed"),
    ]


# ------------------------------------------------------------------------------------------ send_reminder
def test_reminder_after_24_hours_finishes_instantly() -> None:
    sent: list[tuple[str, str]] = []

    def send_reminder(user_id: str, message: str) -> dict[str, Any]:
        sent.append((user_id, message))
        return {"status": "sent"}

    started = time.perf_counter()
    result = run_offline_sync(
        "send_reminder",
        {"user_id": "u-1", "message": "renew your passport"},
        catalog=CATALOG,
        activities={"send_reminder": send_reminder},
        start_time=START,
    )
    assert time.perf_counter() - started < 5
    assert sent == [("u-1", "renew your passport")]
    assert result.output == {
        "user_id": "u-1",
        "status": "sent",
        "sent_at": (START + timedelta(hours=24)).isoformat(),
    }
    assert result.calls[0].at == 86400.0


def test_reminder_at_a_timestamp_waits_until_then() -> None:
    result = run_offline_sync(
        "send_reminder",
        {"user_id": "u-2", "message": "hello", "at": "2030-01-03T09:00:00Z"},
        catalog=CATALOG,
        activities={"send_reminder": lambda user_id, message: {"status": "sent"}},
        start_time=START,
    )
    assert result.elapsed == 2 * 86400.0
    assert result.output["sent_at"] == "2030-01-03T09:00:00+00:00"


# ------------------------------------------------------------------------------ children, continue-as-new
SUBSCRIPTION = {
    "subscription_id": "S-1",
    "user_id": "u-9",
    "email": "lin@example.com",
    "plan": "PRO",
    "price": 12.0,
}


def test_children_run_offline_and_a_declined_payment_ends_the_subscription() -> None:
    charges: list[str] = []

    def charge(user: str, total: float) -> Any:
        charges.append(user)
        if len(charges) == 3:
            raise ApplicationError("card expired", type="PaymentDeclined")
        return {"transaction_id": f"tx-{len(charges)}"}

    result = run_offline_sync(
        "subscription_renewal",
        {**SUBSCRIPTION, "max_renewals": 5},
        catalog=CATALOG,
        activities=shop(charge_payment=charge),
    )
    assert result.output == {
        "subscription_id": "S-1",
        "status": "payment_failed",
        "renewals": 2,
        "transactions": ["tx-1", "tx-2"],
        "cancel_reason": None,
    }
    assert result.elapsed == 3 * 30 * 86400.0  # three 30-day periods
    by_run: dict[str, list[str]] = {c.workflow_id: [] for c in result.calls}
    for call in result.calls:
        by_run[call.workflow_id].append(call.name)
    assert by_run == {
        "subscription-S-1/renewal-1": ["charge_payment", "reserve_inventory", "send_email"],
        "subscription-S-1/renewal-2": ["charge_payment", "reserve_inventory", "send_email"],
        "subscription-S-1/renewal-3": ["charge_payment"],
        "subscription-S-1": ["send_email"],
    }


def test_continue_as_new_restarts_with_the_carried_state() -> None:
    result = run_offline_sync(
        "subscription_renewal",
        {**SUBSCRIPTION, "max_renewals": 7, "period": "1d"},
        catalog=CATALOG,
        activities=shop(),
        continue_as_new_after=2,
        signals=[("6d12h", "cancel", "too many emails")],
    )
    assert result.runs == 4  # two renewals per run, the last run cut short by the cancel signal
    assert result.output == {
        "subscription_id": "S-1",
        "status": "cancelled",
        "renewals": 6,
        "transactions": ["tx-u-9"] * 6,
        "cancel_reason": "too many emails",
    }


# ------------------------------------------------------------------------------------------ API details
def test_keyword_arguments_are_unpacked_and_bad_arguments_fail_once() -> None:
    definition = {
        "name": "greet",
        "version": 1,
        "steps": [
            {"id": "hello", "activity": "greet", "args": ["ann"], "kwargs": {"punctuation": "!"}},
            {"id": "wrong", "activity": "greet", "args": [], "retry": {"maximum_attempts": 5}},
        ],
    }
    result = run_offline_sync(
        definition, activities={"greet": lambda name, punctuation=".": f"hi {name}{punctuation}"}
    )
    hello, wrong = result.calls
    assert (hello.args, hello.kwargs, hello.result) == (["ann"], {"punctuation": "!"}, "hi ann!")
    assert result.status == "failed"
    assert result.error is not None and result.error.type == "ArgumentError"
    assert wrong.attempt == 1 and result.attempts("greet") == 2


def test_input_is_checked_against_the_definition_schema() -> None:
    with pytest.raises(PayloadError) as caught:
        run_offline_sync("order_processing", {**ORDER, "total": -1}, catalog=CATALOG, activities=shop())
    assert (
        str(caught.value)
        == "input of 'order_processing' is invalid: $.total: -1 is less than or equal to the minimum of 0"
    )


async def test_run_offline_from_async_code() -> None:
    result = await run_offline("order_processing", ORDER, catalog=CATALOG, activities=shop())
    assert result.status == "completed"
    assert result.activity_names() == ["charge_payment", "reserve_inventory", "send_email"]


# ------------------------------------------------------------------------------------------ foreach limits
LIMITS = {
    "name": "limits",
    "defaults": {"retry": {"maximum_attempts": 1}},
    "steps": [
        {
            "id": "each",
            "foreach": {
                "items": "{{ input.names }}",
                "concurrency": "{{ input.parallelism | default(2) }}",
                "tolerate_failures": "{{ input.max_failed }}",
                "steps": [{"activity": "send_email", "args": ["{{ item }}", "s", "b"]}],
            },
        }
    ],
    "output": "{{ steps.each.failed }}",
}


def test_foreach_limits_from_the_input_run_offline_like_on_a_worker() -> None:
    def send(to: str, subject: str, body: str) -> dict[str, Any]:
        if to.startswith("bad"):
            raise RuntimeError(f"no mailbox {to}")
        return {"to": to}

    names = ["a", "bad1", "b", "bad2"]
    for max_failed in (2, "50%"):
        given = {"names": names, "max_failed": max_failed}
        result = run_offline_sync(LIMITS, given, activities={"send_email": send})
        assert (result.status, result.output) == ("completed", 2)
    beyond = run_offline_sync(LIMITS, {"names": names, "max_failed": "25%"}, activities={"send_email": send})
    assert beyond.failure == "step 'each' failed: TooManyFailures: 2 of 4 items failed (tolerated: 1)"
    bad = run_offline_sync(
        LIMITS, {"names": names, "max_failed": 0, "parallelism": 0}, activities={"send_email": send}
    )
    assert bad.status == "failed" and bad.calls == []
    assert bad.failure == (
        "step 'each': foreach concurrency '{{ input.parallelism | default(2) }}' gave 0 (int), "
        "not an integer from 1 to 1000"
    )


def test_parallel_compensations_all_run_and_are_reported_newest_first() -> None:
    definition = {
        "name": "trip",
        "version": 1,
        "compensation_order": "parallel",
        "steps": [
            {
                "id": "hotel",
                "activity": "book",
                "args": ["hotel"],
                "compensate": {"activity": "unbook", "args": ["hotel"]},
            },
            {
                "id": "flight",
                "activity": "book",
                "args": ["flight"],
                "compensate": {"activity": "unbook", "args": ["flight"], "retry": {"maximum_attempts": 1}},
            },
            {"fail": {"type": "Declined", "message": "no"}},
        ],
    }

    async def unbook(what: str) -> str:
        await asyncio.sleep(5 if what == "hotel" else 1)  # both run at once: done after 5 s, not 6
        if what == "flight":
            raise ValueError("non-refundable")
        return f"unbooked {what}"

    result = run_offline_sync(definition, activities={"book": lambda what: what, "unbook": unbook})
    assert result.status == "failed" and result.error is not None and result.error.type == "Declined"
    assert [(c["step"], c["status"]) for c in result.compensations] == [
        ("flight", "failed"),
        ("hotel", "completed"),
    ]
    assert result.compensations[1]["result"] == "unbooked hotel"
    assert result.elapsed == 5.0


def test_expressions_see_the_run_id_of_each_run_continued_as_new() -> None:
    # The run-fixed part of ``workflow`` is built once per run: a continued run must see its own run id.
    definition = load_definition_text("""
name: run_ids
version: 1
vars: {seen: [], times: []}
steps:
  - while:
      condition: "{{ vars.seen | length < 4 }}"
      max_iterations: 10
      steps:
        - wait: 1m
        - set:
            seen: "{{ vars.seen + [workflow.run_id] }}"
            times: "{{ vars.times + [workflow.now] }}"
output: {seen: "{{ vars.seen }}", times: "{{ vars.times }}", id: "{{ workflow.id }}"}
""")
    result = run_offline_sync(
        definition, activities={}, workflow_id="w", start_time=START, continue_as_new_after=2
    )
    assert result.runs == 2
    assert result.output == {
        "seen": ["w/run-1", "w/run-1", "w/run-2", "w/run-2"],
        "times": [(START + timedelta(minutes=m)).isoformat() for m in (1, 2, 3, 4)],
        "id": "w",
    }
