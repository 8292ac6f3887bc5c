"""Scenarios whose histories are recorded as golden files and replayed by ``tests/test_replay.py``.

A golden history pins the commands the interpreter issues for a definition: replaying it against today's
interpreter fails if a change would break runs already in flight (such a change must be guarded with
``workflow.patched``, and the old histories kept). Each scenario becomes
``tests/golden/<release>/<name>.json`` (the release is the version in ``pyproject.toml``; see
:mod:`tests.golden.releases`).

Adding a scenario
-----------------
1. Append a :class:`Scenario` to :data:`SCENARIOS`: a unique ``name`` (the file name), the ``definition``
   (a name from ``definitions/``; a new example definition the project ships is also added to
   :data:`EXAMPLE_DEFINITIONS`), its ``input``, and the expected ``outcome`` (``"completed"``,
   ``"failed"``, ``"cancelled"``, or ``"continued_as_new"``: then the file holds the chain's first run).
   Server settings a scenario needs (``dynamic_config``) get it a dev server of its own.
   Keep it quick: pass short durations through the input (``timeout: 2s``), or set
   ``time_skipping=True`` for day-long waits. A construct that no definition in ``definitions/`` uses gets
   a small definition of its own, given as YAML text in ``source``.
2. A run that waits for people gets a ``drive`` coroutine. It receives the run's handle and the
   :class:`~tdsl.server.runs.RunService` and acts like a user, for example::

       async def approve(handle, runs):
           await wait_until_waiting(handle, "approve")   # helper below: the run waits for this signal
           await runs.signal(handle.id, "approve", {"by": "ada"})

       Scenario("approval_approved", "approval", {"request": {"id": "R-1"}}, drive=approve)

3. Record: ``python -m tests.golden.record NAME`` (no name: every scenario missing from the current release's
   folder). It starts a fresh dev server, runs the scenario, checks the outcome, checks the history replays,
   and writes the JSON file into ``tests/golden/<release>/``. Commit it.
   Never re-record an existing file to make the replay test pass: that hides the very break it reports
   (runs in flight would fail the same way). New behaviour gets a new scenario.

Workflow ids are ``golden-<name>`` and worker identities are fixed, so files differ only where behaviour
does.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any, Literal

from temporalio.client import WorkflowHandle

from tdsl.server.runs import RunService

Driver = Callable[[WorkflowHandle[Any, Any], RunService], Awaitable[None]]
"""Acts on a started run (signals, updates) until it can finish on its own."""


@dataclass(frozen=True)
class Scenario:
    """One recorded run of a definition."""

    name: str
    definition: str
    input: Any
    outcome: Literal["completed", "failed", "cancelled", "continued_as_new"] = "completed"
    """How the recorded run ends. ``continued_as_new``: the file holds the first run of the chain (the one
    that issued the continue-as-new command); the rest of the chain must complete."""
    drive: Driver | None = None
    time_skipping: bool = False
    description: str = ""
    source: str | None = None
    """YAML text of a definition that is not in ``definitions/`` (its ``name`` is :attr:`definition`), for
    language constructs no project definition uses."""
    dynamic_config: tuple[str, ...] = ()
    """Extra dev-server settings the scenario needs (``key=value``); such scenarios get a server of their
    own."""
    serve: Callable[[Scenario], AbstractContextManager[Scenario]] | None = None
    """A local service the run calls (an ``http`` step's), running while the scenario is recorded: given
    the scenario, it yields the scenario to record (its input completed with the service's URL)."""

    def serving(self) -> AbstractContextManager[Scenario]:
        """The scenario to record, with its service running when it has one (:attr:`serve`)."""
        return self.serve(self) if self.serve is not None else nullcontext(self)

    @property
    def workflow_id(self) -> str:
        return f"golden-{self.name}"

    @property
    def file_name(self) -> str:
        return f"{self.name}.json"


async def wait_until_waiting(
    handle: WorkflowHandle[Any, Any], signal: str | None = None, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll the built-in ``__progress`` query until the run waits (for ``signal`` when given); return the
    progress. Use it in drivers before sending a signal the run should receive while waiting."""
    from tdsl.interpreter import PROGRESS_QUERY

    async def poll() -> dict[str, Any]:
        while True:
            progress: dict[str, Any] = await handle.query(PROGRESS_QUERY)
            waits = progress.get("pending_waits") or []
            if waits and (signal is None or any(signal in wait.get("signals", ()) for wait in waits)):
                return progress
            await asyncio.sleep(0.05)  # no event tells a client that a run started waiting: poll

    return await asyncio.wait_for(poll(), timeout)


ORDER: dict[str, Any] = {
    "order_id": "G-1001",
    "user_id": "user-42",
    "items": [{"sku": "BOOK-1", "quantity": 2}, {"sku": "PEN-7", "quantity": 1}],
    "total": 59.9,
    "email": "ada@example.com",
}


async def approve(handle: WorkflowHandle[Any, Any], runs: RunService) -> None:
    """The approver approves once the run waits for the decision."""
    await wait_until_waiting(handle, "approve")
    await runs.signal(handle.id, "approve", {"by": "grace"})


async def reject_over_budget(handle: WorkflowHandle[Any, Any], runs: RunService) -> None:
    """The approver rejects with a reason once the run waits for the decision."""
    await wait_until_waiting(handle, "reject")
    await runs.signal(handle.id, "reject", "over budget")


async def amend_then_approve(handle: WorkflowHandle[Any, Any], runs: RunService) -> None:
    """The employee lowers the amount (an update), then the manager approves."""
    await wait_until_waiting(handle, "approve")
    answer = await runs.update(handle.id, "amend", {"amount": 450})
    if answer != {"amount": 450, "amendments": 1}:
        raise RuntimeError(f"the amendment answered {answer!r}")
    await runs.signal(handle.id, "approve", {"by": "grace"})


@contextmanager
def order_service(scenario: Scenario) -> Iterator[Scenario]:
    """The order service of ``http_order_lookup`` on a free local port, its token in the worker's
    environment (the history holds the service's URL, never the token)."""
    from tests.http_step.service import RunningService

    previous = os.environ.get("ORDERS_API_TOKEN")
    with RunningService(token="golden-orders-token") as service:
        os.environ["ORDERS_API_TOKEN"] = service.token
        try:
            yield replace(scenario, input={**scenario.input, "service_url": service.base_url})
        finally:
            if previous is None:
                os.environ.pop("ORDERS_API_TOKEN", None)
            else:
                os.environ["ORDERS_API_TOKEN"] = previous


REQUEST: dict[str, Any] = {"id": "G-R1", "title": "New laptop", "amount": 1800}

BOOKING: dict[str, Any] = {
    "booking_id": "G-B1",
    "user_id": "user-7",
    "hotel_id": "H-LISBON",
    "flight_id": "F-TP123",
    "total": 1250.0,
}

REMINDER: dict[str, Any] = {"user_id": "user-3", "message": "Your trial ends tomorrow"}

SUBSCRIPTION: dict[str, Any] = {
    "subscription_id": "G-S1",
    "user_id": "user-9",
    "email": "lin@example.com",
    "plan": "PLAN-PRO",
    "price": 12.0,
}

EXPENSE: dict[str, Any] = {
    "report_id": "G-E1",
    "employee": "Ada",
    "email": "ada@example.com",
    "manager_email": "grace@example.com",
    "amount": 480.0,
    "description": "Conference hotel",
}

PARALLEL_FIRST = """\
name: golden_parallel_first
version: 1
description: >-
  Four branches race; the first to finish wins and the others are cancelled: a slow activity (its
  cancellation is requested), an hour-long timer, and a wait for a signal that is never sent.
signals:
  decide:
    description: Never sent in the recorded run.
steps:
  - id: race
    parallel:
      mode: first
      branches:
        slow:
          - activity: send_reminder
            args: ["{{ input.user_id }}", "slow", {delay: 30}]
            heartbeat: 1s
            retry: {maximum_attempts: 1}
        timer:
          - wait: 1h
        decision:
          - wait_for: {signals: [decide]}
        quick:
          - wait: 100ms
          - activity: send_reminder
            args: ["{{ input.user_id }}", "quick"]
output: "{{ steps.race }}"
"""

CONTINUE_AS_NEW = """\
name: golden_continue_as_new
version: 1
description: A top-level while loop that continues as new when the server suggests it, carrying its state.
vars: {count: 0}
steps:
  - id: loop
    while:
      condition: "{{ vars.count < input.rounds }}"
      max_iterations: 100
      steps:
        - id: tick
          activity: send_reminder
          args: ["{{ input.user_id }}", "round {{ loop.index }}"]
        - set: {count: "{{ vars.count + 1 }}"}
output: {count: "{{ vars.count }}", iterations: "{{ steps.loop.iterations }}"}
"""

SUGGEST_CONTINUE_AS_NEW = ("limit.historyCount.suggestContinueAsNew=40",)
"""The server suggests continue-as-new after 40 events (Temporal's default is 4,096), so a short loop
continues as new."""

BATCHED_FOREACH = """\
name: golden_batched_foreach
version: 1
description: A foreach over more items than one history holds comfortably, run as child batches.
steps:
  - id: notify
    foreach:
      items: "{{ range(input.count) | list }}"
      concurrency: 100
      steps:
        - id: send
          activity: send_reminder
          args: ["{{ input.user_id }}", "item {{ item }}"]
      result: "{{ steps.send.status }}"
output:
  succeeded: "{{ steps.notify.succeeded }}"
  failed: "{{ steps.notify.failed }}"
"""

CANCELLED_SAGA = """\
name: golden_cancelled_saga
version: 1
description: Two compensable reservations, then a long hold; cancelled while holding, it compensates.
steps:
  - id: hotel
    activity: reserve_hotel
    args: ["{{ input.hotel_id }}"]
    compensate: {activity: cancel_hotel, args: ["{{ steps.hotel.reservation_id }}"]}
  - id: flight
    activity: reserve_flight
    args: ["{{ input.flight_id }}"]
    compensate: {activity: cancel_flight, args: ["{{ steps.flight.reservation_id }}"]}
  - id: hold
    wait: 1h
output: {hotel: "{{ steps.hotel.reservation_id }}", flight: "{{ steps.flight.reservation_id }}"}
"""


UPGRADED = """\
name: golden_upgraded
version: 1
description: >-
  Sends a request, waits for an approval, then notifies. While it waits, version 2 (a fixed notification
  and a new audit step) is offered to it: it moves after the approval by continuing as new.
signals:
  approve: {}
steps:
  - id: request
    activity: send_email
    args: [boss@example.com, Please approve, "{{ input.id }}"]
  - id: decision
    wait_for:
      signals:
        approve: []
  - id: notify
    activity: send_email
    args: [team@example.com, Wrong template, "{{ input.id }}"]
"""

UPGRADED_V2 = UPGRADED.replace("version: 1", "version: 2").replace(
    "Wrong template", '"Approved: {{ input.id }}"'
) + """\
  - id: audit
    activity: send_email
    args: [audit@example.com, Approved, "{{ input.id }}"]
"""


async def upgrade_then_approve(handle: WorkflowHandle[Any, Any], runs: RunService) -> None:
    """While the run waits for the approval, version 2 is offered to it (docs/UPGRADE.md); then the approver
    approves and the run moves."""
    from tdsl.dsl_schema.catalog import load_definition_text

    await wait_until_waiting(handle, "approve")
    runs.catalog.add(load_definition_text(UPGRADED_V2, "golden_upgraded.yaml", runs.registry))
    [report] = await runs.upgrade("golden_upgraded", run_id=handle.id)
    if report.status != "moved":
        raise RuntimeError(f"the upgrade was not taken: {report.describe()}")
    await runs.signal(handle.id, "approve")


TRIP_RETRY = """\
name: golden_trip_retry
version: 1
description: >-
  Reservations in two branches written zed before amy (kept in that order), results shaped, a payment retried
  as a block with jitter, errors filtered with when, rethrown with raise and wrapped by a rendered fail type.
defaults: {timeout: 30s, retry: {maximum_attempts: 1}}
steps:
  - id: reserved
    parallel:
      branches:
        zed_flight:
          - id: flight
            activity: reserve_flight
            args: ["{{ input.flight_id }}"]
            result: "{{ result.reservation_id }}"
            compensate: {activity: cancel_flight, args: ["{{ result.reservation_id }}"]}
        amy_hotel:
          - id: hotel
            activity: reserve_hotel
            args: ["{{ input.hotel_id }}"]
            result: "{{ result.reservation_id }}"
            compensate: {activity: cancel_hotel, args: ["{{ result.reservation_id }}"]}
    result: "{{ result | list }}"
  - id: checkout
    try:
      - id: charge
        do:
          - id: pay  # lint: ignore[W800]
            activity: charge_payment
            args: ["{{ input.user_id }}", "{{ input.total }}"]
            kwargs: {simulate: "{{ {'fail': 'GatewayBusy'} if attempt < input.busy_attempts else {} }}"}
        retry: {initial_interval: 200ms, maximum_attempts: 4, jitter: 0.5}
        result: {transaction: "{{ result.transaction_id }}", attempt: "{{ attempt }}"}
    catch:
      - errors: [PaymentDeclined]
        when: "{{ error.attempts == 1 }}"
        steps:
          - activity: send_email  # lint: ignore[W800]
            args: ["{{ input.email }}", "Payment declined", "{{ error.message }}"]
          - raise: {}
      - when: "{{ error.type == 'GatewayBusy' and error.attempts == 4 }}"
        steps:
          - fail: {type: "Checkout{{ error.type }}", message: "gave up after {{ error.attempts }} attempts",
                   details: {attempts: "{{ error.attempts }}"}}
  - id: receipt
    try:
      - id: mail  # lint: ignore[W800]
        activity: send_email
        args: ["{{ input.email }}", "Receipt", "{{ steps.charge.transaction }}"]
    catch:
      - when: "{{ error.details is none and error.step == 'receipt/try/mail' }}"
        steps: [{set: {receipt: "{{ error.type }}"}}]
output:
  branches: "{{ steps.reserved }}"
  charge: "{{ steps.charge }}"
  receipt: "{{ vars.receipt | default('sent') }}"
failure_output:
  error: "{{ error.type }}"
  step: "{{ error.step }}"
  compensations: "{{ compensations | map(attribute='activity') | sort | list }}"
"""

TRIP: dict[str, Any] = {"flight_id": "F-LH400", "hotel_id": "H-PORTO", "user_id": "user-9", "total": 120,
                        "email": "ada@example.com", "busy_attempts": 3}


async def cancel_while_holding(handle: WorkflowHandle[Any, Any], runs: RunService) -> None:
    """The customer cancels once both reservations are made and the run holds them."""
    await wait_until_waiting(handle)
    await runs.cancel(handle.id)


SCENARIOS: list[Scenario] = [
    Scenario(
        "order_processing_success",
        "order_processing",
        ORDER,
        description="charge, reserve, email; output with the transaction id",
    ),
    Scenario(
        "order_processing_refund",
        "order_processing",
        {**ORDER, "order_id": "G-1002", "items": [{"sku": "OUT-OF-STOCK-1", "quantity": 1}]},
        outcome="failed",
        description="the reservation fails (OutOfStock): the payment is refunded, then the run fails",
    ),
    Scenario(
        "data_processing_sales",
        "data_processing",
        {"dataset_id": "sales-1200", "batch_size": 100},
        description="twelve batches, four at a time; all records processed",
    ),
    Scenario(
        "data_processing_tolerated_failures",
        "data_processing",
        {"dataset_id": "logs-corrupt150-corrupt420-1000", "max_failed_batches": 2},
        description="batches 1 and 4 fail (BatchFailed, not retried), within the tolerance: 800 processed",
    ),
    Scenario(
        "approval_approved",
        "approval",
        {"request": REQUEST, "timeout": "1h"},
        drive=approve,
        description="approve signal while waiting; the approved action runs",
    ),
    Scenario(
        "approval_rejected",
        "approval",
        {"request": {**REQUEST, "id": "G-R2"}, "timeout": "1h"},
        drive=reject_over_budget,
        description="reject signal with a reason; returns {status: rejected, reason}",
    ),
    Scenario(
        "approval_timeout",
        "approval",
        {"request": {**REQUEST, "id": "G-R3"}, "timeout": "1s"},
        description="no decision in time: returns {status: timeout, approved: false}",
    ),
    Scenario(
        "booking_saga_success",
        "booking_saga",
        BOOKING,
        description="hotel, flight and payment booked",
    ),
    Scenario(
        "booking_saga_payment_declined",
        "booking_saga",
        {**BOOKING, "booking_id": "G-B2", "total": 15000},
        description="PaymentDeclined: flight then hotel cancelled; the failure output is returned",
    ),
    Scenario(
        "booking_saga_failing_compensation",
        "booking_saga",
        {**BOOKING, "booking_id": "G-B3", "flight_id": "NONREF-TP123", "total": 15000},
        description="PaymentDeclined; cancelling the non-refundable flight fails, the hotel is cancelled",
    ),
    Scenario(
        "send_reminder_delay",
        "send_reminder",
        {**REMINDER, "delay": "1s"},
        description="a one-second timer, then the reminder",
    ),
    Scenario(
        "send_reminder_past_time",
        "send_reminder",
        {**REMINDER, "at": "2020-01-01T09:00:00Z"},
        description="a time in the past: no timer, the reminder is sent at once",
    ),
    Scenario(
        "subscription_renewal_two_periods",
        "subscription_renewal",
        {**SUBSCRIPTION, "period": "200ms", "max_renewals": 2},
        description="two periods, each renewal an order_processing child workflow; then completed",
    ),
    Scenario(
        "expense_report_amended_approved",
        "expense_report",
        EXPENSE,
        drive=amend_then_approve,
        description="amend update to 450 while in review, then approve: paid out with 450",
    ),
    Scenario(
        "expense_report_escalated",
        "expense_report",
        {**EXPENSE, "report_id": "G-E2", "remind_every": "150ms"},
        description="no decision: three reminders, then escalated to finance",
    ),
    Scenario(
        "parallel_first",
        "golden_parallel_first",
        {"user_id": "user-5"},
        source=PARALLEL_FIRST,
        description="parallel mode first: the quick branch wins; an activity, a timer and a signal wait are "
        "cancelled",
    ),
    Scenario(
        "continue_as_new_loop",
        "golden_continue_as_new",
        {"user_id": "user-6", "rounds": 12},
        outcome="continued_as_new",
        source=CONTINUE_AS_NEW,
        dynamic_config=SUGGEST_CONTINUE_AS_NEW,
        description="a top-level while continues as new when suggested (the first run of the chain)",
    ),
    Scenario(
        "batched_foreach",
        "golden_batched_foreach",
        {"user_id": "user-8", "count": 1100},
        source=BATCHED_FOREACH,
        description="1,100 items: three child batches (500, 500, 100), results gathered in order",
    ),
    Scenario(
        "cancelled_saga",
        "golden_cancelled_saga",
        {"hotel_id": "H-PORTO", "flight_id": "F-TP456"},
        outcome="cancelled",
        drive=cancel_while_holding,
        source=CANCELLED_SAGA,
        description="cancelled while holding two reservations: flight then hotel cancelled, the run ends "
        "cancelled",
    ),
    Scenario(
        "http_order_lookup_shipped",
        "http_order_lookup",
        {"order_id": "A-1"},
        serve=order_service,
        description="http steps against a local order service: the order is looked up (GET, bearer token "
        "from the environment), the lookup recorded (POST json), the customer mailed",
    ),
    Scenario(
        "nightly_dataset_report_nightly",
        "nightly_dataset_report",
        {"datasets": ["orders-120", "customers-40"], "report_to": "data-team@example.com"},
        description="the input of its nightly schedule: two datasets counted, the report mailed",
    ),
    Scenario(
        "upgraded_after_approval",
        "golden_upgraded",
        {"id": "G-U1"},
        outcome="continued_as_new",
        drive=upgrade_then_approve,
        source=UPGRADED,
        description="version 2 offered while waiting for the approval: accepted (update), then the run "
        "continues as new with it after the approval (the first run of the chain)",
    ),
    Scenario(
        "trip_retry_success",
        "golden_trip_retry",
        TRIP,
        source=TRIP_RETRY,
        description="branches in written order, shaped results, the payment block retried twice (jittered "
        "timers), a failed receipt caught by when",
    ),
    Scenario(
        "trip_retry_declined",
        "golden_trip_retry",
        {**TRIP, "total": 15000, "busy_attempts": 1},
        source=TRIP_RETRY,
        description="PaymentDeclined (not retried): caught, an email, raise; both reservations cancelled and "
        "the failure output returned",
    ),
    Scenario(
        "trip_retry_gateway_down",
        "golden_trip_retry",
        {**TRIP, "busy_attempts": 9},
        source=TRIP_RETRY,
        description="the payment block gives up after 4 attempts: a fail with a rendered type",
    ),
]


EXAMPLE_DEFINITIONS: tuple[str, ...] = (
    "approval",
    "booking_saga",
    "data_processing",
    "expense_report",
    "http_order_lookup",
    "nightly_dataset_report",
    "order_processing",
    "send_reminder",
    "subscription_renewal",
)
"""The definitions the project ships in ``definitions/``: each must have a golden scenario. Only these: a
user's own definition in that folder (``greeting.yaml`` from the README tour) is theirs to test, and never
breaks the project's suite."""


def examples_without_scenario(available: set[str], scenarios: list[Scenario] | None = None) -> list[str]:
    """The example definitions among ``available`` (names in a definitions folder) that no scenario (of
    ``scenarios``, default :data:`SCENARIOS`) records; names that are not examples are ignored."""
    covered = {s.definition for s in (SCENARIOS if scenarios is None else scenarios) if s.source is None}
    return sorted((set(EXAMPLE_DEFINITIONS) & available) - covered)


def by_name(names: list[str] | None = None) -> list[Scenario]:
    """The scenarios called ``names`` (all when ``None``); unknown names raise ``KeyError``."""
    if not names:
        return list(SCENARIOS)
    known = {scenario.name: scenario for scenario in SCENARIOS}
    missing = [name for name in names if name not in known]
    if missing:
        raise KeyError(f"unknown scenario(s): {', '.join(missing)}; known: {', '.join(sorted(known))}")
    return [known[name] for name in names]
