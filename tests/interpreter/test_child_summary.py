"""``child.summary``: the line the Web UI shows for a child run, a template rendered when the step runs."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tdsl.dsl_schema.lint import lint_text
from tests.interpreter.histories import assert_replays, events, summaries
from tests.support import harness

CHILD_INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED

CHILD = """
name: summary_child
steps:
  - return: "{{ input.n }}"
output: "{{ input.n }}"
"""

PARENT = """
name: summary_parent
steps:
  - id: first
    child:
      definition: summary_child
      input: {n: 1}
      summary: "invoice {{ input.order_id }}"
  - id: second
    child:
      definition: summary_child
      input: {n: 2}
output: ["{{ steps.first }}", "{{ steps.second }}"]
"""


async def test_a_child_run_carries_its_rendered_summary(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        h.add(CHILD)
        name = h.add(PARENT)
        handle = await h.start(name, {"order_id": "A-7"})
        result = await handle.result()
        history = await events(handle)
    await assert_replays(client, handle.id)
    assert result == [1, 2]
    # The second child has no summary: it keeps the default, "<step path>: run <definition>".
    assert summaries(history, CHILD_INITIATED) == ["invoice A-7", "second: run summary_child"]


def test_the_linter_checks_the_summary_expression() -> None:
    text = PARENT.replace("{{ input.order_id }}", "{{ steps.nope }}")
    assert [d.format() for d in lint_text(text, "parent.yaml")] == [
        "parent.yaml:8:28: E301 unknown step 'nope'"
    ]


def test_a_summary_that_is_not_text_is_a_schema_error() -> None:
    text = PARENT.replace('summary: "invoice {{ input.order_id }}"', "summary: [1]")
    assert [d.format() for d in lint_text(text, "parent.yaml")] == [
        "parent.yaml:8:16: E104 [1] is not of type 'string'"
    ]
