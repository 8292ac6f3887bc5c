"""``result:`` shapes what ``steps.<id>`` holds: a template over the step's raw result (``result``); the raw
result is not kept. Compensations still see the raw result."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client

from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import run_offline_sync
from tests.support import harness

SHAPED = """
name: shaped
steps:
  - id: pay
    activity: charge_payment
    args: [ann, 12.5]
    result: "{{ result.transaction_id }}"
    compensate: {activity: refund_payment, args: ["{{ result.transaction_id }}"]}
  - id: pick
    set: {a: 1, b: 2}
    result: "{{ result.a + result.b }}"
  - id: both
    parallel:
      branches:
        zed: [{set: {x: 1}}]
        amy: [{set: {y: 2}}]
    result: "{{ result | list }}"
  - id: handled
    try:
      - fail: {type: Nope, message: no}
    catch:
      - steps: []
    result: "{{ result.error.type }}"
  - if: "{{ input.fail | default(false) }}"
    fail: late
output: {pay: "{{ steps.pay }}", pick: "{{ steps.pick }}", both: "{{ steps.both }}",
         handled: "{{ steps.handled }}"}
"""

EXPECTED = {"pick": 3, "both": ["zed", "amy"], "handled": "Nope"}


def _checked(output: dict[str, Any]) -> None:
    assert {key: output[key] for key in EXPECTED} == EXPECTED
    assert isinstance(output["pay"], str) and output["pay"].startswith("txn")


def test_offline_results_are_shaped_and_compensations_see_the_raw_result() -> None:
    entry = load_definition_text(SHAPED, "<test>")
    mocks: dict[str, Any] = {
        "charge_payment": lambda user, amount: {"transaction_id": "txn-1", "amount": amount},
        "refund_payment": lambda transaction_id: {"refunded": transaction_id},
    }
    _checked(run_offline_sync(entry, None, activities=mocks).output)
    failed = run_offline_sync(entry, {"fail": True}, activities=mocks)
    assert [(c.name, c.args) for c in failed.calls][-1] == ("refund_payment", ["txn-1"])


def test_a_result_template_that_fails_is_a_definition_error() -> None:
    text = "name: bad\nsteps:\n  - id: s\n    set: {a: 1}\n    result: '{{ result.a.b.c }}'\n"
    entry = load_definition_text(text, "<test>")
    result = run_offline_sync(entry, None, activities={})
    assert result.error is not None and result.error.type == "DefinitionError"
    assert result.error.step == "s"


async def test_a_worker_keeps_the_shaped_result(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(SHAPED)
        _checked(await h.execute(name))
