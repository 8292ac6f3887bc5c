"""``id_reuse`` decides which earlier run a start with a templated id returns; docs and behaviour agree."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client

from tests.support import harness

DEFINITION = """
name: once_{suffix}
id: "once-{{{{ input.key }}}}"
{reuse}
input: {{type: object, required: [key], properties: {{key: {{type: string}}}}}}
steps:
  - id: noted
    set: {{note: "{{{{ input.key }}}}"}}
output: "{{{{ vars.note }}}}"
"""


@pytest.mark.parametrize(
    ("reuse", "after_completion_existing"),
    [
        ("", True),
        ("id_reuse: unless_completed", True),
        ("id_reuse: always", False),
        ("id_reuse: never", True),
    ],
)
async def test_a_start_after_completion(
    client: Client, task_queue: str, reuse: str, after_completion_existing: bool
) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DEFINITION.format(suffix=uuid.uuid4().hex[:6], reuse=reuse))
        key = uuid.uuid4().hex[:8]
        first = await h.runs.start(name, {"key": key})
        assert not first.existing
        assert await h.runs.result(first.workflow_id, timeout=30) == key
        again = await h.runs.start(name, {"key": key})
        assert again.workflow_id == first.workflow_id
        assert again.existing is after_completion_existing
        assert (again.run_id == first.run_id) is after_completion_existing
