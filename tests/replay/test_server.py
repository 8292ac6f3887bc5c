"""``tdsl replay`` against runs on a server: the runs a visibility query selects (before deploying, a team
checks the new release against its open runs), a history recorded with ``--record``, and a history exported
with ``temporal workflow show -o json``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from temporalio.client import Client

from tdsl.server.replay import load_file
from tests.server.cli import tdsl
from tests.support import eventually, harness

TEMPORAL = str(Path(sys.executable).parent / "temporal")
REQUEST = {"request": {"id": "R-replay"}, "timeout": "1h"}


async def listed(client: Client, query: str, count: int) -> None:
    """Until visibility lists ``count`` runs for ``query`` (it is updated shortly after a start)."""

    async def check() -> bool | None:
        found = [w async for w in client.list_workflows(query)]
        return True if len(found) == count else None

    await eventually(check, what=f"{count} runs for {query}")


async def test_open_runs_selected_by_a_query_replay(
    client: Client, temporal_address: str, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        handles = [await h.start("approval", REQUEST) for _ in range(2)]
        done_handle = await h.start("send_reminder", {"user_id": "u", "message": "m", "delay": 0})
        await done_handle.result()
        query = f"TaskQueue='{task_queue}' AND ExecutionStatus='Running'"
        await listed(client, query, 2)
        done = await tdsl("replay", "--query", query, "--address", temporal_address, "--format", "json")
        assert done.code == 0, done.out + done.err
        report = json.loads(done.out)
        assert sorted(h["workflow_id"] for h in report["histories"]) == sorted(x.id for x in handles)
        assert {h["workflow_type"] for h in report["histories"]} == {"approval"}

        done = await tdsl("replay", "--query", query, "--limit", "1", "--address", temporal_address)
        assert done.code == 0 and done.out.splitlines()[-1] == "1 history: 1 replay, 0 diverge"

        nothing = f"TaskQueue='{task_queue}' AND WorkflowType='no_such_definition'"
        done = await tdsl("replay", "--query", nothing, "--address", temporal_address)
        assert done.code == 2 and "the query selected no DSL runs" in done.err
        for handle in handles:
            await handle.terminate()


async def test_record_writes_the_history_and_replays_it(
    client: Client, temporal_address: str, task_queue: str, tmp_path: Path
) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("send_reminder", {"user_id": "u", "message": "m", "delay": "10ms"})
        await handle.result()
        folder = tmp_path / "golden"
        done = await tdsl(
            "replay", "--record", str(folder), "--workflow-id", handle.id, "--name", "reminder",
            "--address", temporal_address,
        )
        assert done.code == 0, done.out + done.err
        path = folder / "reminder.json"
        assert done.out.splitlines()[0] == f"recorded {handle.id}: {path}"
        assert done.out.splitlines()[-1] == "1 history: 1 replay, 0 diverge"
        history = load_file(path)
        assert history.workflow_id == handle.id
        assert history.events == (await handle.fetch_history()).events
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"

        done = await tdsl(
            "replay", "--record", str(folder), "--workflow-id", "no-such-run", "--address", temporal_address
        )
        assert done.code == 2 and "no-such-run" in done.err


async def test_a_history_exported_by_the_temporal_cli_replays(
    client: Client, temporal_address: str, task_queue: str, tmp_path: Path
) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("order_processing", {
            "order_id": "R-1", "user_id": "u", "items": [{"sku": "BOOK-1", "quantity": 1}], "total": 5,
            "email": "a@example.com",
        })
        await handle.result()
    process = await asyncio.create_subprocess_exec(
        TEMPORAL, "workflow", "show", "--workflow-id", handle.id, "--output", "json",
        "--address", temporal_address,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    path = tmp_path / "shown.json"
    path.write_bytes(out)
    done = await tdsl("replay", str(path))
    assert done.code == 0, done.out + done.err
    assert done.out.splitlines()[0] == f"OK    {path}  [order_processing]"
