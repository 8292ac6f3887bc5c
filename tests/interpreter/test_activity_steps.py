"""Activity steps on the real dev server: arguments, retries, timeouts, options in the history, and every
way a run can be refused or fail (unregistered activity, template error, invalid input)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType, RetryState, TimeoutType
from temporalio.client import Client, WorkflowFailureError
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from tdsl.activities.examples import ledger
from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import RunPayload
from tdsl.server.errors import ActivitiesNotRegistered, InvalidInput
from tests.interpreter.histories import events, of_type
from tests.support import harness

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
FAILED = EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED


def decode(payloads: Any) -> list[Any]:
    return DataConverter.default.payload_converter.from_payloads(list(payloads.payloads))


def retry_state(failed: Any) -> int:
    return int(failed.activity_task_failed_event_attributes.retry_state)


async def failure_of(handle: Any) -> ApplicationError:
    """The run's failure (it must fail), as the ``ApplicationError`` the workflow raised."""
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


# ---------------------------------------------------------------------------------------------- arguments
ARGUMENTS = """
name: activity_arguments
steps:
  - id: charge
    activity: charge_payment
    args: ["{{ input.user }}", "{{ input.amount }}"]
    kwargs:
      simulate: {delay: 0}
  - id: mail
    activity: send_email
    args: ["{{ input.email }}"]
    kwargs:
      subject: "Receipt {{ steps.charge.transaction_id }}"
      body: "{{ input.subject_from_user }}"
  - id: mail_kwargs_only
    activity: send_email
    kwargs: {to: "{{ input.email }}", subject: "Total", body: "{{ input.amount * 2 }} EUR"}
output:
  transaction: "{{ steps.charge.transaction_id }}"
  amount: "{{ steps.charge.amount }}"
  mailed: "{{ steps.mail }}"
"""


async def test_args_and_kwargs_reach_the_activity(client: Client, task_queue: str) -> None:
    run_input = {"user": "u-1", "amount": 12.5, "email": "ada@example.com",
                 "subject_from_user": "{{ input.user }} is data, not a template"}
    async with harness(client, task_queue) as h:
        h.add(ARGUMENTS)
        handle = await h.start("activity_arguments", run_input)
        result = await handle.result()
    assert result["amount"] == 12.5 and result["mailed"] is True
    assert result["transaction"].startswith("txn_")
    calls = [(e.activity, e.args) for e in ledger.entries(handle.id)]
    assert calls == [
        ("charge_payment", ("u-1", 12.5)),
        ("send_email", ("ada@example.com", f"Receipt {result['transaction']}",
                        "{{ input.user }} is data, not a template")),
        ("send_email", ("ada@example.com", "Total", "25.0 EUR")),
    ]
    # Keyword arguments travel as one trailing {"__kwargs__": ...} payload.
    scheduled = of_type(await events(handle), SCHEDULED)
    inputs = [decode(e.activity_task_scheduled_event_attributes.input) for e in scheduled]
    assert inputs[0] == ["u-1", 12.5, {"__kwargs__": {"simulate": {"delay": 0}}}]
    assert inputs[2] == [{"__kwargs__": {"to": "ada@example.com", "subject": "Total", "body": "25.0 EUR"}}]


# ---------------------------------------------------------------------------------------------- retries
RETRIES = """
name: activity_retries
steps:
  - id: payment
    activity: charge_payment
    args: ["u-1", 10]
    kwargs: {simulate: "{{ input.simulate }}"}
    retry:
      initial_interval: 50ms
      backoff_coefficient: 1
      maximum_attempts: "{{ input.attempts }}"
      non_retryable_errors: [CardExpired]
output: "{{ steps.payment.status }}"
"""


def _retries_text(attempts: int) -> str:
    # maximum_attempts is a number in the language; tests vary it through the text.
    return RETRIES.replace('"{{ input.attempts }}"', str(attempts))


async def test_retries_until_success_with_attempts_in_history_and_ledger(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(_retries_text(4))
        handle = await h.start("activity_retries", {"simulate": {"fail_times": 2}})
        assert await handle.result() == "success"
    attempts = [(e.attempt, e.outcome) for e in ledger.entries(handle.id)]
    assert attempts == [(1, "failed"), (2, "failed"), (3, "ok")]
    found = await events(handle)
    [started] = of_type(found, STARTED)  # retries of one scheduled activity record only the last attempt
    assert started.activity_task_started_event_attributes.attempt == 3
    assert "attempt 2" in started.activity_task_started_event_attributes.last_failure.message
    assert len(of_type(found, SCHEDULED)) == 1


async def test_retries_exhausted_fail_the_run_with_the_activity_error_and_step(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(_retries_text(2))
        handle = await h.start("activity_retries", {"simulate": {"fail": "GatewayDown"}})
        error = await failure_of(handle)
    assert error.type == "GatewayDown"
    assert error.non_retryable
    assert error.message == (
        "step 'payment' failed: GatewayDown: charge_payment failed (simulated GatewayDown, attempt 2)"
    )
    assert error.details[0]["error"]["step"] == "payment"
    assert [(e.attempt, e.outcome) for e in ledger.entries(handle.id)] == [(1, "failed"), (2, "failed")]
    [failed] = of_type(await events(handle), FAILED)
    assert retry_state(failed) == RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED


@pytest.mark.parametrize(
    "simulate",
    [{"fail": "CardExpired"}, {"fail": "SomethingElse", "non_retryable": True}],
    ids=["listed-in-non_retryable_errors", "raised-as-non-retryable"],
)
async def test_non_retryable_errors_stop_at_once(
    client: Client, task_queue: str, simulate: dict[str, Any]
) -> None:
    async with harness(client, task_queue) as h:
        h.add(_retries_text(5))
        handle = await h.start("activity_retries", {"simulate": simulate})
        error = await failure_of(handle)
    assert error.type == simulate["fail"]
    assert [(e.attempt, e.outcome) for e in ledger.entries(handle.id)] == [(1, "failed")]
    [failed] = of_type(await events(handle), FAILED)
    assert retry_state(failed) == RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE


# ---------------------------------------------------------------------------------------------- timeouts
TIMEOUTS = """
name: activity_timeouts
steps:
  - id: slow
    activity: charge_payment
    args: ["u-1", 10]
    kwargs: {simulate: {delay: "{{ input.delay }}"}}
    timeout: "{{ input.timeout }}"
    heartbeat: "{{ input.heartbeat }}"
    retry: {maximum_attempts: 1}
"""


@pytest.mark.parametrize(
    ("run_input", "kind"),
    [
        ({"delay": 1.5, "timeout": "300ms", "heartbeat": "10s"}, "START_TO_CLOSE"),
        # the simulated work heartbeats every 0.5 s: a 200 ms heartbeat timeout expires before the first one
        ({"delay": 1.5, "timeout": "10s", "heartbeat": "200ms"}, "HEARTBEAT"),
    ],
    ids=["start_to_close", "heartbeat"],
)
async def test_timeouts_fail_the_step_with_timeout_error(
    client: Client, task_queue: str, run_input: dict[str, Any], kind: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(TIMEOUTS)
        handle = await h.start("activity_timeouts", run_input)
        error = await failure_of(handle)
        history = await events(handle)
    assert error.type == "TimeoutError"
    assert error.message == f"step 'slow' failed: TimeoutError: timed out ({kind})"
    # failed at the timeout, not after the work: the run closed before the work could have finished
    [work_started] = of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    [closed] = of_type(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
    worked = closed.event_time.ToDatetime() - work_started.event_time.ToDatetime()
    assert worked < timedelta(seconds=run_input["delay"]), worked
    [timed_out] = of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
    failure = timed_out.activity_task_timed_out_event_attributes.failure
    assert failure.timeout_failure_info.timeout_type == TimeoutType.Value(f"TIMEOUT_TYPE_{kind}")


OPTIONS = """
name: activity_options
defaults:
  timeout: 11s
  schedule_to_start: 12s
  retry: {maximum_attempts: 5, initial_interval: 3s, non_retryable_errors: [Fatal]}
steps:
  - id: everything
    activity: send_email
    args: [a@example.com, s, b]
    timeout: 7s
    schedule_to_close: 1m
    schedule_to_start: 9s
    heartbeat: PT4S
    task_queue: "{{ input.queue }}"
    retry:
      initial_interval: 2s
      backoff_coefficient: 3
      maximum_interval: 30s
      maximum_attempts: 4
      non_retryable_errors: [InvalidAddress, Declined]
  - id: from_defaults
    activity: send_email
    args: [a@example.com, s, b]
    retry: {maximum_interval: 10s}
"""


async def test_all_timeouts_and_retry_fields_are_in_the_scheduled_event(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(OPTIONS)
        handle = await h.start("activity_options", {"queue": task_queue})
        await handle.result()
    scheduled = of_type(await events(handle), SCHEDULED)
    first, second = (e.activity_task_scheduled_event_attributes for e in scheduled)
    assert first.activity_type.name == "send_email"
    assert first.task_queue.name == task_queue
    assert first.start_to_close_timeout.ToSeconds() == 7
    assert first.schedule_to_close_timeout.ToSeconds() == 60
    assert first.schedule_to_start_timeout.ToSeconds() == 9
    assert first.heartbeat_timeout.ToSeconds() == 4
    retry = first.retry_policy
    assert retry.initial_interval.ToSeconds() == 2
    assert retry.backoff_coefficient == 3
    assert retry.maximum_interval.ToSeconds() == 30
    assert retry.maximum_attempts == 4
    # an unregistered activity can never succeed on retry: NotFoundError is always non-retryable
    assert list(retry.non_retryable_error_types) == ["InvalidAddress", "Declined", "NotFoundError"]
    # step values win; the definition's defaults fill in the rest, field by field
    assert second.start_to_close_timeout.ToSeconds() == 11
    assert second.schedule_to_start_timeout.ToSeconds() == 12
    assert second.retry_policy.maximum_interval.ToSeconds() == 10
    assert second.retry_policy.maximum_attempts == 5
    assert second.retry_policy.initial_interval.ToSeconds() == 3
    assert list(second.retry_policy.non_retryable_error_types) == ["Fatal", "NotFoundError"]


async def test_engine_defaults_bound_every_activity(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add("name: bare\nsteps:\n  - activity: send_email\n    args: [a@example.com, s, b]\n")
        handle = await h.start("bare")
        assert await handle.result() is None
    [scheduled] = of_type(await events(handle), SCHEDULED)
    attributes = scheduled.activity_task_scheduled_event_attributes
    assert attributes.start_to_close_timeout.ToSeconds() == 60
    assert attributes.retry_policy.maximum_attempts == 3  # never the server's "retry forever"
    assert list(attributes.retry_policy.non_retryable_error_types) == ["NotFoundError"]


# ---------------------------------------------------------------------------------------------- refusals
UNREGISTERED = """
name: calls_unregistered
steps:
  - id: pay
    activity: charge_paymnet
    args: [u-1, 10]
    retry: {maximum_attempts: 0}
"""


async def test_unregistered_activity_is_refused_before_start(client: Client, task_queue: str) -> None:
    workflow_id = f"unregistered-{uuid.uuid4().hex[:8]}"
    async with harness(client, task_queue) as h:
        h.add(UNREGISTERED, expect_errors=["E400"])
        with pytest.raises(ActivitiesNotRegistered) as caught:
            await h.runs.start("calls_unregistered", {}, workflow_id=workflow_id)
    assert caught.value.message == (
        "'calls_unregistered' calls activities that are not registered: charge_paymnet "
        "(did you mean 'charge_payment'?)"
    )
    with pytest.raises(RPCError, match="not found"):
        await client.get_workflow_handle(workflow_id).describe()


async def test_unregistered_activity_started_anyway_fails_promptly(client: Client, task_queue: str) -> None:
    # maximum_attempts 0 means "retry forever" to Temporal: the NotFoundError must still stop the run.
    entry = load_definition_text(UNREGISTERED, "<test>")
    async with harness(client, task_queue):
        handle = await client.start_workflow(
            "calls_unregistered",
            RunPayload(definition=entry.data, input={}).to_data(),
            id=f"unregistered-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        error = await failure_of(handle)
    assert error.type == "NotFoundError"
    assert error.message.startswith("step 'pay' failed: NotFoundError: Activity function charge_paymnet ")
    assert "is not registered on this worker" in error.message
    found = await events(handle)
    assert len(of_type(found, SCHEDULED)) == 1
    [failed] = of_type(found, FAILED)
    assert retry_state(failed) == RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE


TEMPLATE_ERROR = """
name: template_error
steps:
  - id: greet
    activity: send_email
    args: ["{{ input.email }}", "Hi {{ input.customer.name }}", body]
"""


async def test_template_error_fails_the_run_naming_step_and_expression(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        h.add(TEMPLATE_ERROR)
        handle = await h.start("template_error", {"email": "ada@example.com"})
        error = await failure_of(handle)
    assert error.type == "DefinitionError"
    assert error.non_retryable
    cause = (
        "undefined: 'dict object' has no attribute 'customer' in expression 'Hi {{ input.customer.name }}'"
    )
    assert error.message == f"step 'greet': {cause}"
    assert error.details[0]["error"] == {
        "type": "DefinitionError",
        "message": cause,
        "step": "greet",
        "file": None,
        "line": None,
        "details": "Hi {{ input.customer.name }}",
    }
    found = await events(handle)
    assert of_type(found, SCHEDULED) == []
    # failed once, not a workflow task retried forever
    assert of_type(found, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) == []


async def test_bad_duration_at_run_time_fails_the_run(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add(TIMEOUTS)
        handle = await h.start("activity_timeouts", {"delay": 0, "timeout": "soon", "heartbeat": "1s"})
        error = await failure_of(handle)
    assert error.type == "DefinitionError"
    assert error.message.startswith("step 'slow': timeout: 'soon' is not a duration")


INPUT_SCHEMA = """
name: strict_input
input:
  type: object
  required: [order_id, total]
  properties:
    order_id: {type: string, minLength: 1}
    total: {type: number, exclusiveMinimum: 0}
    items: {type: array, items: {type: object, required: [sku]}}
steps:
  - activity: send_email
    args: [a@example.com, s, b]
"""


async def test_input_rejected_by_its_schema_lists_every_error_and_starts_nothing(
    client: Client, task_queue: str
) -> None:
    workflow_id = f"strict-{uuid.uuid4().hex[:8]}"
    async with harness(client, task_queue) as h:
        h.add(INPUT_SCHEMA)
        with pytest.raises(InvalidInput) as caught:
            await h.runs.start("strict_input", {"total": -1, "items": [{"sku": "A"}, {"qty": 1}]},
                               workflow_id=workflow_id)
    assert caught.value.message == "input of 'strict_input' does not match its schema"
    assert [(e["path"], e["message"]) for e in caught.value.errors] == [
        ("$", "'order_id' is a required property"),
        ("$.items[1]", "'sku' is a required property"),
        ("$.total", "-1 is less than or equal to the minimum of 0"),
    ]
    with pytest.raises(RPCError, match="not found"):
        await client.get_workflow_handle(workflow_id).describe()


# ---------------------------------------------------------------------------------------------- set, if, memo
SET_AND_IF = """
name: set_and_if
version: 7
vars:
  greeting: "Hello {{ input.name }}"
steps:
  - set:
      doubled: "{{ input.amount * 2 }}"
      big: "{{ input.amount > 100 }}"
  - id: vip_mail
    if: "{{ vars.big }}"
    activity: send_email
    args: ["{{ input.email }}", VIP, "{{ vars.greeting }}"]
  - id: normal_mail
    if: "{{ not vars.big }}"
    activity: send_email
    args: ["{{ input.email }}", Normal, "{{ vars.greeting }}, {{ vars.doubled }}"]
  - id: never
    if: false
    activity: send_email
    args: [x@example.com, never, never]
  - id: after
    set: {mailed: "{{ steps.normal_mail }}"}
output:
  vars: "{{ vars }}"
  after: "{{ steps.after }}"
  skipped: "{{ steps.never }}"
"""


@pytest.mark.parametrize(("amount", "subject"), [(30, "Normal"), (300, "VIP")])
async def test_set_and_if(client: Client, task_queue: str, amount: int, subject: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(SET_AND_IF)
        handle = await h.start(name, {"name": "Ada", "amount": amount, "email": "ada@example.com"})
        result = await handle.result()
    big = amount > 100
    mailed = None if big else True  # a step skipped by its `if` has the result none
    assert result["vars"] == {"greeting": "Hello Ada", "doubled": amount * 2, "big": big, "mailed": mailed}
    assert result["after"] == {"mailed": mailed}
    assert result["skipped"] is None
    [mail] = ledger.entries(handle.id)
    assert mail.args[1] == subject
    assert mail.args[2] == ("Hello Ada" if big else f"Hello Ada, {amount * 2}")


async def test_memo_names_definition_version_and_sha256(client: Client, task_queue: str) -> None:
    import hashlib

    async with harness(client, task_queue) as h:
        name = h.add(SET_AND_IF)
        handle = await h.start(name, {"name": "Ada", "amount": 1, "email": "ada@example.com"})
        await handle.result()
    description = await handle.describe()
    assert description.workflow_type == "set_and_if"
    memo = await description.memo()
    assert memo == {
        "definition": "set_and_if",
        "version": 7,
        "sha256": hashlib.sha256(SET_AND_IF.encode()).hexdigest(),
    }
