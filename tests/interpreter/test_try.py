"""``try`` / ``catch`` by error type / ``finally``."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tdsl.activities.examples import ledger
from tests.interpreter import probes
from tests.support import harness

GUARDED = """
name: guarded
defaults: {heartbeat: 1s, retry: {maximum_attempts: 1}}
steps:
  - id: attempt
    try:
      - id: risky
        activity: probe
        args: [risky, "{{ input.seconds | default(0) }}", "{{ input.fail | default(none) }}"]
        timeout: "{{ input.timeout | default('1s') }}"
      - set: {after: true}
    catch:
      - errors: [CardDeclined, CardExpired]
        steps:
          - set: {handled: "card: {{ error.type }} at {{ error.step }}"}
      - errors: [TimeoutError]
        steps:
          - set: {handled: "slow: {{ error.message }}"}
      - errors: CATCH_ALL
        steps:
          - if: "{{ input.rethrow | default(false) }}"
            fail: {type: Escalated, message: "could not handle {{ error.type }}"}
          - set: {handled: "other: {{ error.type }}: {{ error.message }}"}
    finally:
      - id: cleanup
        activity: send_email
        args: [ops@example.com, Cleanup, "attempt finished"]
output:
  attempt: "{{ steps.attempt }}"
  handled: "{{ vars.handled | default(none) }}"
  after: "{{ vars.after | default(false) }}"
"""


def guarded(catch_all: bool) -> str:
    if catch_all:
        return GUARDED.replace("      - errors: CATCH_ALL\n", "      - \n").replace(
            "      - \n        steps:", "      - steps:"
        )
    return GUARDED.replace("      - errors: CATCH_ALL", "      - errors: [NeverRaised]").replace(
        "name: guarded", "name: guarded_strictly"
    )


async def run(client: Client, task_queue: str, catch_all: bool, input: dict[str, Any]) -> tuple[str, Any]:
    async with harness(client, task_queue, registry=probes.REGISTRY) as h:
        name = h.add(guarded(catch_all))
        handle = await h.start(name, input)
        try:
            return handle.id, await handle.result()
        except WorkflowFailureError as failure:
            return handle.id, failure.cause


async def test_no_error_runs_try_then_finally(client: Client, task_queue: str) -> None:
    run_id, result = await run(client, task_queue, True, {})
    assert result == {"attempt": {"error": None, "result": {"after": True}}, "handled": None, "after": True}
    assert ledger.calls(run_id) == ["probe", "send_email"]


async def test_the_first_clause_matching_the_error_type_handles_it(client: Client, task_queue: str) -> None:
    run_id, result = await run(client, task_queue, True, {"fail": "CardExpired"})
    assert result["handled"] == "card: CardExpired at attempt/try/risky"
    assert result["after"] is False
    assert result["attempt"]["error"] == {
        "type": "CardExpired",
        "message": "probe risky failed",
        "step": "attempt/try/risky",
        "file": None,
        "line": None,
        "details": None,
    }
    assert ledger.calls(run_id) == ["send_email"]


async def test_an_activity_timeout_is_caught_as_timeout_error(client: Client, task_queue: str) -> None:
    _, result = await run(client, task_queue, True, {"seconds": 5})
    assert result["handled"] == "slow: timed out (START_TO_CLOSE)"


async def test_a_clause_without_error_types_catches_everything(client: Client, task_queue: str) -> None:
    _, result = await run(client, task_queue, True, {"fail": "Unexpected"})
    assert result["handled"] == "other: Unexpected: probe risky failed"


async def test_an_unmatched_error_propagates_after_finally(client: Client, task_queue: str) -> None:
    run_id, cause = await run(client, task_queue, False, {"fail": "Unexpected"})
    assert isinstance(cause, ApplicationError)
    assert cause.type == "Unexpected"
    assert cause.message == "step 'attempt/try/risky' failed: Unexpected: probe risky failed"
    assert ledger.calls(run_id) == ["send_email"]  # finally ran


async def test_an_error_raised_in_a_catch_clause_propagates_after_finally(
    client: Client, task_queue: str
) -> None:
    run_id, cause = await run(client, task_queue, True, {"fail": "Unexpected", "rethrow": True})
    assert isinstance(cause, ApplicationError)
    assert cause.type == "Escalated"
    assert cause.message == "step 'attempt/catch#2/fail#0' failed: Escalated: could not handle Unexpected"
    assert ledger.calls(run_id) == ["send_email"]


async def test_definition_errors_are_never_caught(client: Client, task_queue: str) -> None:
    run_id, cause = await run(client, task_queue, True, {"timeout": "soon"})
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DefinitionError"
    assert cause.message.startswith("step 'attempt/try/risky': timeout: 'soon' is not a duration")
    assert ledger.calls(run_id) == ["send_email"]
