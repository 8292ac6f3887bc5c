"""``switch``, ``if``, ``while`` (bounded), ``return`` and ``fail``."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tests.support import harness

ROUTE = """
name: route
steps:
  - id: route
    switch:
      cases:
        - if: "{{ input.amount > 1000 }}"
          steps: [{set: {lane: manual}}]
        - if: "{{ input.amount > 100 }}"
          steps: [{set: {lane: review}}]
        - if: "{{ input.amount > 10 }}"
          steps: [{set: {lane: small}}]
      default:
        - set: {lane: auto}
  - id: strict
    switch:
      cases:
        - if: "{{ input.amount == 7 }}"
          steps: [{set: {lucky: true}}]
  - id: note
    if: "{{ vars.lane == 'manual' }}"
    activity: send_email
    args: [ops@example.com, Manual review, "amount {{ input.amount }}"]
output:
  lane: "{{ vars.lane }}"
  case: "{{ steps.route.case }}"
  strict: "{{ steps.strict.case }}"
  noted: "{{ steps.note is not none }}"
"""

COUNTDOWN = """
name: countdown
vars: {n: "{{ input.start }}", seen: []}
steps:
  - id: loop
    while:
      condition: "{{ vars.n > 0 }}"
      max_iterations: 5
      steps:
        - set: {seen: "{{ vars.seen + [loop.index] }}", n: "{{ vars.n - 1 }}"}
        - if: "{{ vars.n == input.stop_at }}"
          return: {stopped_at: "{{ vars.n }}", seen: "{{ vars.seen }}"}
output: {iterations: "{{ steps.loop.iterations }}", seen: "{{ vars.seen }}"}
"""

FAILING = """
name: failing
steps:
  - id: check
    if: "{{ input.balance < 0 }}"
    fail:
      type: Overdrawn
      message: "balance {{ input.balance }} is below zero"
      details: {balance: "{{ input.balance }}", account: "{{ input.account }}"}
  - id: plain
    if: "{{ input.balance == 0 }}"
    fail: "empty account {{ input.account }}"
  - activity: send_email
    args: [ada@example.com, Balance, "balance {{ input.balance }}"]
output: ok
"""


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (5000, {"lane": "manual", "case": 0, "strict": None, "noted": True}),
        (500, {"lane": "review", "case": 1, "strict": None, "noted": False}),  # also > 10: first match wins
        (50, {"lane": "small", "case": 2, "strict": None, "noted": False}),
        (7, {"lane": "auto", "case": "default", "strict": 0, "noted": False}),
    ],
)
async def test_switch_runs_the_first_matching_case_else_default(
    client: Client, task_queue: str, amount: int, expected: dict[str, Any]
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(ROUTE)
        handle = await h.start(name, {"amount": amount})
        assert await handle.result() == expected
    assert ledger.calls(handle.id) == (["send_email"] if expected["noted"] else [])


async def test_a_switch_condition_that_cannot_be_evaluated_fails_the_run(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(ROUTE)
        handle = await h.start(name, {"amount": "lots"})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "DefinitionError"
    assert cause.message == (
        "step 'route': TypeError: '>' not supported between instances of 'str' and 'int' "
        "in expression '{{ input.amount > 1000 }}'"
    )


async def test_while_loops_until_its_condition_is_false(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTDOWN)
        assert await h.execute(name, {"start": 3, "stop_at": -1}) == {"iterations": 3, "seen": [0, 1, 2]}
        assert await h.execute(name, {"start": 5, "stop_at": -1}) == {
            "iterations": 5,
            "seen": [0, 1, 2, 3, 4],
        }
        assert await h.execute(name, {"start": 0, "stop_at": -1}) == {"iterations": 0, "seen": []}


async def test_while_beyond_max_iterations_fails(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTDOWN)
        handle = await h.start(name, {"start": 6, "stop_at": -1})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        progress = await h.runs.progress(handle.id)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "MaxIterationsExceeded"
    assert (
        cause.message
        == "step 'loop' failed: MaxIterationsExceeded: while loop still true after max_iterations=5"
    )
    assert progress is not None and progress["status"] == "failed"


async def test_return_ends_the_run_with_its_output(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(COUNTDOWN)
        handle = await h.start(name, {"start": 4, "stop_at": 2})
        assert await handle.result() == {"stopped_at": 2, "seen": [0, 1]}
        progress = await h.runs.progress(handle.id)
    assert progress is not None and progress["status"] == "completed"


async def test_fail_ends_the_run_with_a_typed_error(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(FAILING)
        typed = await h.start(name, {"balance": -5, "account": "ACC-1"})
        with pytest.raises(WorkflowFailureError) as typed_failure:
            await typed.result()
        plain = await h.start(name, {"balance": 0, "account": "ACC-2"})
        with pytest.raises(WorkflowFailureError) as plain_failure:
            await plain.result()
        assert await h.execute(name, {"balance": 3, "account": "ACC-3"}) == "ok"
    cause = typed_failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "Overdrawn"
    assert cause.non_retryable
    assert cause.message == "step 'check' failed: Overdrawn: balance -5 is below zero"
    assert cause.details[0]["error"] == {
        "type": "Overdrawn",
        "message": "balance -5 is below zero",
        "step": "check",
        "file": None,
        "line": None,
        "details": {"balance": -5, "account": "ACC-1"},
    }
    plain_cause = plain_failure.value.cause
    assert isinstance(plain_cause, ApplicationError)
    assert (plain_cause.type, plain_cause.message) == (
        "WorkflowFailed",
        "step 'plain' failed: WorkflowFailed: empty account ACC-2",
    )
    assert ledger.calls(typed.id) == [] and ledger.calls(plain.id) == []
