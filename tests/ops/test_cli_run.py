"""``tdsl run`` for people: progress while it waits, a default timeout with the exit status of ``tdsl
result`` (3: still running), a missing input named as such, and where definitions were looked for."""

from __future__ import annotations

import uuid
from pathlib import Path

from temporalio.client import Client

from tests.server.cli import tdsl
from tests.support import harness


def connection(address: str, task_queue: str) -> list[str]:
    return ["--address", address, "--task-queue", task_queue]


async def test_run_shows_progress_and_exits_3_when_still_running(
    client: Client, temporal_address: str, task_queue: str
) -> None:
    workflow_id = f"cli-approval-{uuid.uuid4().hex[:8]}"
    async with harness(client, task_queue):
        done = await tdsl(
            "run", "approval", "--input", "@examples/approval.json", "--id", workflow_id, "--timeout", "3",
            "--progress", *connection(temporal_address, task_queue),
        )
        await client.get_workflow_handle(workflow_id).terminate("test over")
    assert done.code == 3, done
    assert done.out == ""
    lines = done.err.splitlines()
    assert any("waiting for signal" in line for line in lines), lines
    assert lines[-1] == (
        f"tdsl: run '{workflow_id}' is still running after 3s (see it with: tdsl status {workflow_id}; "
        f"wait with: tdsl result {workflow_id} --wait SECONDS)"
    )
    result = await tdsl("result", workflow_id, *connection(temporal_address, task_queue))
    assert result.code == 1  # terminated: both verbs exit 1 for a run that did not complete


async def test_a_missing_input_is_named(temporal_address: str, task_queue: str) -> None:
    done = await tdsl("run", "approval", *connection(temporal_address, task_queue))
    assert done.code == 2, done
    assert done.err == (
        "tdsl: error: 'approval' needs an input: pass --input JSON (or @file.json, or - for stdin)\n"
    )


async def test_without_a_definitions_folder_says_where_it_looked(
    tmp_path: Path, temporal_address: str, task_queue: str
) -> None:
    missing = tmp_path / "definitions"
    done = await tdsl(
        "run", "approval", "--input", "{}", "--definitions", str(missing),
        *connection(temporal_address, task_queue),
    )
    assert done.code == 1, done
    assert done.err == (
        f"tdsl: error: unknown definition or workflow 'approval'; no definitions folder at {missing} "
        "(set --definitions, TDSL_DEFINITIONS or `definitions:` in config.yaml)\n"
    )
