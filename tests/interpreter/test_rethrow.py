"""``raise`` in a ``catch`` clause rethrows the caught error (type, message, details, step); ``when`` filters
clauses by expression over ``error``; ``fail.type`` is rendered; ``error.details`` has one shape: the value
the error carries (an activity's single detail, a ``fail``'s ``details``, a timeout's ``timeout_type``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities import ActivityRegistry
from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import run_offline_sync
from tests.support import example_registry, harness

REGISTRY = ActivityRegistry()
REGISTRY.update(example_registry())


@REGISTRY.register
async def decline(code: int) -> dict[str, Any]:
    """Always declines, with the code as the error's one detail."""
    raise ApplicationError("card declined", {"code": code}, type="CardDeclined", non_retryable=True)


RETHROWING = """
name: rethrowing
defaults: {retry: {maximum_attempts: 1}}
steps:
  - id: outer
    try:
      - try:
          - id: pay
            activity: decline
            args: ["{{ input.code }}"]
        catch:
          - errors: [CardDeclined]
            when: "{{ error.details.code == 51 }}"
            steps:
              - set: {seen: "{{ error.details }}"}
              - raise: {}
          - steps:
              - set: {other: "{{ error.type }}: {{ error.details.code }}"}
    catch:
      - when: "{{ error.type == 'CardDeclined' }}"
        steps:
          - fail:
              type: "Wrapped{{ error.type }}"
              message: "{{ error.message }} at {{ error.step }} (seen {{ vars.seen.code }})"
              details: "{{ error.details }}"
output: "{{ vars.other }}"
"""

WRAPPED = "card declined at outer/try/try#0/try/pay (seen 51)"


def test_offline_rethrow_when_and_rendered_fail_type() -> None:
    entry = load_definition_text(RETHROWING, "<test>")
    handled = run_offline_sync(entry, {"code": 7}, activities=REGISTRY)
    assert handled.output == "CardDeclined: 7"
    failed = run_offline_sync(entry, {"code": 51}, activities=REGISTRY)
    assert failed.status == "failed" and failed.error is not None
    assert (failed.error.type, failed.error.message) == ("WrappedCardDeclined", WRAPPED)
    assert failed.error.record()["details"] == {"code": 51}


def test_offline_timeout_details_name_the_timeout() -> None:
    entry = load_definition_text("""
name: slow
steps:
  - try:
      - activity: crawl
        timeout: 1s
        retry: {maximum_attempts: 1}
    catch:
      - when: "{{ error.details.timeout_type == 'START_TO_CLOSE' }}"
        steps: [{return: "{{ error.details }}"}]
""", "<test>")

    async def crawl() -> None:
        await asyncio.sleep(5)

    result = run_offline_sync(entry, None, activities={"crawl": crawl})
    assert result.output == {"timeout_type": "START_TO_CLOSE"}


def test_a_fail_type_that_is_no_text_is_a_definition_error() -> None:
    entry = load_definition_text("""
name: bad_type
steps:
  - fail: {type: "{{ 3 }}", message: nope}
""", "<test>")
    result = run_offline_sync(entry, None, activities={})
    assert result.error is not None and result.error.type == "DefinitionError"
    assert "fail type must give a non-empty text" in result.error.message


async def test_a_worker_rethrows_with_type_message_and_details(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=REGISTRY) as h:
        name = h.add(RETHROWING)
        assert await h.execute(name, {"code": 7}) == "CardDeclined: 7"
        with pytest.raises(WorkflowFailureError) as caught:
            await h.execute(name, {"code": 51})
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "WrappedCardDeclined"
    assert cause.message == f"step 'outer/catch#0/fail#0' failed: WrappedCardDeclined: {WRAPPED}"
    record = cause.details[0]["error"]
    assert record["details"] == {"code": 51}
    assert record["step"] == "outer/catch#0/fail#0"
