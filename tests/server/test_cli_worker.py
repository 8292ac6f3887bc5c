"""``tdsl worker``: a worker process against a configured server, stopped cleanly by a signal."""

from __future__ import annotations

import asyncio
import signal

from temporalio.client import Client

from tdsl.server.runs import RunService
from tests.server.cli import ROOT, TDSL, environment
from tests.server.helpers import unique
from tests.support import example_registry, project_catalog

ORDER = {"order_id": "W-1", "user_id": "u-1", "items": [{"sku": "BOOK-1", "quantity": 1}], "total": 12.5,
         "email": "ada@example.com"}


async def test_worker_process_runs_definitions_and_stops_on_sigterm(
    client: Client, temporal_address: str
) -> None:
    queue = unique("worker")
    process = await asyncio.create_subprocess_exec(
        TDSL, "worker", "--address", temporal_address, "--task-queue", queue,
        cwd=ROOT, env=environment(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    banner = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    assert f"task_queue={queue}" in banner and "order_processing" in banner, banner
    try:
        # No worker in this process: only the subprocess can complete the run.
        runs = RunService(client, project_catalog(), example_registry(), queue)
        order = {**ORDER, "order_id": unique("W")}
        started = await runs.start("order_processing", order)
        result = await runs.result(started.workflow_id, timeout=60)
        assert result["status"] == "completed" and result["order_id"] == order["order_id"]
    finally:
        process.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(process.stdout.read(), 60)).decode()
        code = await asyncio.wait_for(process.wait(), 60)
    assert code == 0, rest
    assert "Traceback" not in rest
