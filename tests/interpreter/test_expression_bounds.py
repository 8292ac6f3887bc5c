"""A run whose expression is over an evaluation bound fails with ``DefinitionError`` at once, on the dev
server: never a worker frozen by a huge power, nor a workflow task failing (and the run RUNNING) forever."""

from __future__ import annotations

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.support import harness

GROW = """
name: grow_text
steps:
  - id: grow
    set: {text: "{{ 'a' * input.n }}"}
output: "{{ vars.text | length }}"
"""

LONG_SUM = f"""
name: long_sum
steps:
  - id: add
    set: {{total: "{{{{ {' + '.join(['1'] * 600)} }}}}"}}
"""


async def test_a_repetition_over_the_bound_fails_the_run_with_a_definition_error(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(GROW)
        assert await h.execute(name, {"n": 3}) == 3
        handle = await h.start(name, {"n": 10**10})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "DefinitionError"
    assert cause.message == (
        "step 'grow': a repetition 1 x 10,000,000,000 long (at most 1,000,000) "
        "in expression \"{{ 'a' * input.n }}\""
    )


async def test_an_expression_too_long_to_compile_fails_the_run_instead_of_its_workflow_task(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(LONG_SUM, expect_errors=["E120"])
        handle = await h.start(name, {})
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "DefinitionError"
    assert cause.message.startswith("step 'add': the expression has more than 1,000 tokens in expression")
