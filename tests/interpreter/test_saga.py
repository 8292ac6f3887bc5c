"""Saga compensation: recorded after a step succeeds, run in reverse (or in parallel) on an unhandled failure
and on cancellation (shielded), each with its own retry policy; a failing compensation is recorded and the
others still run; the final error or ``failure_output`` lists what was compensated."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError

from tdsl.activities.examples import ledger
from tests.interpreter import probes
from tests.interpreter.histories import (
    activity_names,
    assert_replays,
    events,
    max_outstanding_activities,
    of_type,
    summaries,
    type_names,
    wait_for_event,
)
from tests.support import harness

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
CANCEL_REQUESTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED

TRIP = """
name: trip
compensation_order: ORDER
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
steps:
  - id: hotel
    activity: reserve_hotel
    args: ["{{ input.hotel }}"]
    compensate:
      activity: cancel_hotel
      args: ["{{ steps.hotel.reservation_id }}", "{{ input.sim.cancel_hotel | default(none) }}"]
      retry: {maximum_attempts: 3, initial_interval: 100ms}
  - id: flight
    activity: reserve_flight
    args: ["{{ input.flight }}"]
    compensate:
      activity: cancel_flight
      args: ["{{ result.reservation_id }}", "{{ input.sim.cancel_flight | default(none) }}"]
  - id: payment
    activity: charge_payment
    args: [traveller, "{{ input.amount }}"]
    compensate:
      activity: refund_payment
      args: ["{{ steps.payment.transaction_id }}", "{{ input.sim.refund | default(none) }}"]
  - id: confirm
    activity: probe
    args:
      - confirm
      - "{{ input.sim.confirm_seconds | default(0) }}"
      - "{{ input.sim.confirm_fails | default(none) }}"
output: {status: booked, payment: "{{ steps.payment.transaction_id }}"}
FAILURE_OUTPUT
"""

FAILURE_OUTPUT = """failure_output:
  status: failed
  error: "{{ error.type }}: {{ error.message }}"
  compensations_executed: >-
    {{ compensations | selectattr('status', 'equalto', 'completed') | map(attribute='activity') | list }}
  compensations_failed: >-
    {{ compensations | rejectattr('status', 'equalto', 'completed') | map(attribute='step') | list }}
"""


def trip(order: str = "reverse", failure_output: bool = False) -> str:
    text = TRIP.replace("ORDER", order).replace("FAILURE_OUTPUT\n", FAILURE_OUTPUT if failure_output else "")
    suffix = f"_{order}" + ("_output" if failure_output else "")
    return text.replace("name: trip", f"name: trip{suffix}")


def booking(**sim: Any) -> dict[str, Any]:
    return {"hotel": "H-1", "flight": "F-1", "amount": 420.0, "sim": sim}


def outcomes(workflow_id: str) -> list[tuple[str, str, int]]:
    return [(e.activity, e.outcome, e.attempt) for e in ledger.entries(workflow_id)]


async def failure_of(handle: Any) -> ApplicationError:
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_success_runs_no_compensation(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip())
        handle = await h.start(name, booking())
        result = await handle.result()
        progress = await h.runs.progress(handle.id)
    assert result["status"] == "booked"
    assert ledger.calls(handle.id) == ["reserve_hotel", "reserve_flight", "charge_payment", "probe"]
    assert progress is not None and progress["compensations"] == []


async def test_a_failure_compensates_completed_steps_in_reverse(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip())
        handle = await h.start(name, booking(confirm_fails="ConfirmationLost"))
        cause = await failure_of(handle)
        history = await events(handle)
    assert ledger.calls(handle.id) == [
        "reserve_hotel",
        "reserve_flight",
        "charge_payment",
        "refund_payment",
        "cancel_flight",
        "cancel_hotel",
    ]
    assert cause.type == "ConfirmationLost"
    assert cause.message == (
        "step 'confirm' failed: ConfirmationLost: probe confirm failed; compensated: "
        "payment (refund_payment: completed), flight (cancel_flight: completed), "
        "hotel (cancel_hotel: completed)"
    )
    details = cause.details[0]
    assert details["error"]["step"] == "confirm"
    assert [(c["step"], c["activity"], c["status"]) for c in details["compensations"]] == [
        ("payment", "refund_payment", "completed"),
        ("flight", "cancel_flight", "completed"),
        ("hotel", "cancel_hotel", "completed"),
    ]
    # compensation arguments were rendered when each step succeeded
    hotel = next(e for e in ledger.entries(handle.id) if e.activity == "reserve_hotel")
    assert details["compensations"][2]["result"]["reservation_id"] == hotel.result["reservation_id"]
    assert summaries(history, SCHEDULED)[-3:] == [
        "payment.compensate",
        "flight.compensate",
        "hotel.compensate",
    ]


async def test_a_step_that_failed_is_not_compensated(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip())
        handle = await h.start(name, {**booking(), "amount": 20_000})
        cause = await failure_of(handle)
    assert cause.type == "PaymentDeclined"
    assert ledger.calls(handle.id) == ["reserve_hotel", "reserve_flight", "cancel_flight", "cancel_hotel"]


async def test_each_compensation_has_its_retry_policy_and_a_failing_one_does_not_stop_the_rest(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip(failure_output=True))
        handle = await h.start(
            name,
            {
                **booking(
                    confirm_fails="ConfirmationLost", cancel_hotel={"fail_times": 2}, refund={"fail": True}
                ),
                "flight": "NONREF-7",
            },
        )
        result = await handle.result()  # failure_output: the run completes with it
    assert result == {
        "status": "failed",
        "error": "ConfirmationLost: probe confirm failed",
        "compensations_executed": ["cancel_hotel"],
        "compensations_failed": ["payment", "flight"],
    }
    assert outcomes(handle.id)[4:] == [
        ("refund_payment", "failed", 1),  # the definition's default: one attempt
        ("cancel_flight", "failed", 1),  # CancellationRefused is not retryable
        ("cancel_hotel", "failed", 1),  # its own policy: three attempts
        ("cancel_hotel", "failed", 2),
        ("cancel_hotel", "ok", 3),
    ]


async def test_parallel_compensation_runs_them_all_at_once(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip("parallel"))
        slow = {"delay": 0.5}
        handle = await h.start(
            name,
            booking(confirm_fails="ConfirmationLost", cancel_hotel=slow, cancel_flight=slow, refund=slow),
        )
        cause = await failure_of(handle)
        history = await events(handle)
    await assert_replays(client, handle.id)
    assert max_outstanding_activities(history) == 3
    assert activity_names(history)[-3:] == ["refund_payment", "cancel_flight", "cancel_hotel"]
    assert sorted(ledger.calls(handle.id)[3:]) == ["cancel_flight", "cancel_hotel", "refund_payment"]
    assert "compensated: payment (refund_payment: completed)" in cause.message


async def test_cancelling_the_run_compensates_shielded_and_ends_cancelled(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(trip())
        workflow_id = h.unique_id(name)
        confirm_cancelled = probes.cancelled_event(workflow_id, "confirm")
        slow = {"delay": 0.4}
        handle = await h.start(
            name,
            booking(confirm_seconds=60, cancel_hotel=slow, cancel_flight=slow, refund=slow),
            workflow_id=workflow_id,
        )
        await wait_for_event(handle, SCHEDULED, count=4)  # confirm is in flight
        await handle.cancel()
        await wait_for_event(handle, SCHEDULED, count=5)  # compensating...
        await handle.cancel()  # ...a second cancel request does not interrupt it
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        await asyncio.wait_for(confirm_cancelled.wait(), 15)
        described = await handle.describe()
        history = await events(handle)
        progress = await h.runs.progress(handle.id)
    await assert_replays(client, handle.id)
    assert isinstance(failure.value.cause, CancelledError)
    assert described.status == WorkflowExecutionStatus.CANCELED
    assert ledger.calls(handle.id) == [
        "reserve_hotel",
        "reserve_flight",
        "charge_payment",
        "refund_payment",
        "cancel_flight",
        "cancel_hotel",
    ]
    assert probes.outcomes(handle.id) == {"confirm": "cancelled"}
    names = type_names(history)
    assert names[-1] == "WORKFLOW_EXECUTION_CANCELED"
    first_cancel = of_type(history, CANCEL_REQUESTED)[0].event_id
    compensations = [e for e in of_type(history, SCHEDULED) if e.event_id > first_cancel]
    assert [e.activity_task_scheduled_event_attributes.activity_type.name for e in compensations] == [
        "refund_payment",
        "cancel_flight",
        "cancel_hotel",
    ]
    assert progress is not None and progress["status"] == "cancelled"
    assert [c["activity"] for c in progress["compensations"]] == [
        "refund_payment",
        "cancel_flight",
        "cancel_hotel",
    ]


async def test_a_failure_output_that_cannot_be_rendered_still_fails_the_run(
    client: Client, task_queue: str
) -> None:
    broken = trip(failure_output=True).replace(
        'error: "{{ error.type }}: {{ error.message }}"', 'error: "{{ erro }}"'
    )
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(broken, expect_errors=["E304"])
        handle = await h.start(name, booking(confirm_fails="ConfirmationLost"))
        cause = await failure_of(handle)
    assert cause.type == "DefinitionError"
    assert cause.message.startswith("step 'failure_output': undefined: 'erro' is undefined")
    assert cause.message.endswith(
        "compensated: payment (refund_payment: completed), "
        "flight (cancel_flight: completed), hotel (cancel_hotel: completed)"
    )


UNSTOPPABLE = """
name: unstoppable
steps:
  - id: book
    activity: probe
    args: [book, 1.0]
    compensate:
      activity: probe
      args: [unbook]
  - id: never
    activity: probe
    args: [never]
"""


async def test_a_step_that_finishes_while_being_cancelled_is_still_compensated(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(UNSTOPPABLE)
        handle = await h.start(name)
        await wait_for_event(handle, SCHEDULED)
        # "book" does not heartbeat, so it cannot hear the cancellation and finishes its work
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        history = await events(handle)
        await assert_replays(client, handle.id)
    assert isinstance(failure.value.cause, CancelledError)
    assert [(e.args[0], e.outcome) for e in ledger.entries(handle.id)] == [("book", "ok"), ("unbook", "ok")]
    assert summaries(history, SCHEDULED) == ["book", "book.compensate"]
    assert type_names(history)[-1] == "WORKFLOW_EXECUTION_CANCELED"
