"""``tdsl upgrade`` (dry run, then the move; ``tdsl status`` shows it), ``POST /definitions/{name}/upgrade``
and ``TemporalEngine.upgrade`` on the dev server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.engine import TemporalEngine
from tdsl.server.http.deps import get_runs, require_token
from tdsl.server.http.errors import install_error_handlers
from tdsl.server.http.routers import upgrades
from tests.server.cli import tdsl
from tests.support import example_registry, harness
from tests.upgrade import definitions as d
from tests.upgrade.test_upgrade_server import add, at_step


async def test_the_cli_reports_a_dry_run_then_moves_the_run_and_status_shows_it(
    client: Client, temporal_address: str, task_queue: str, tmp_path: Path
) -> None:
    file = tmp_path / "upg_approval.yaml"
    file.write_text(d.APPROVAL_V1, encoding="utf-8")
    catalog = Catalog.load(tmp_path, example_registry())
    async with harness(client, task_queue, catalog=catalog) as h:
        handle = await h.start("upg_approval", {"id": "C-1"})
        await at_step(h, handle.id, 1)
        file.write_text(d.APPROVAL_V2_EDITS_REQUEST, encoding="utf-8")
        where = ("--address", temporal_address, "--task-queue", task_queue, "--definitions", str(tmp_path))

        refused = await tdsl("upgrade", "upg_approval", "--run-id", handle.id, "--dry-run", *where)
        assert refused.code == 1, refused.out + refused.err
        assert f"{handle.id}: incompatible: step 'request' changed (" in refused.out
        assert "upg_approval.yaml:7) and has already run" in refused.out

        file.write_text(d.APPROVAL_V2, encoding="utf-8")
        dry = await tdsl("upgrade", "upg_approval", "--run-id", handle.id, "--dry-run", "--json", *where)
        assert dry.code == 0, dry.out + dry.err
        [run] = json.loads(dry.out)["runs"]
        assert (run["status"], run["moves_at"], run["to"]["version"]) == (
            "compatible", "before step 'notify'", 2
        )

        query = f"TaskQueue = '{task_queue}'"
        moved = await tdsl("upgrade", "upg_approval", "--query", query, *where)
        assert moved.code == 0, moved.out + moved.err
        assert f"{handle.id}: moved, moves before step 'notify'" in moved.out

        status = await tdsl("status", handle.id, "--address", temporal_address)
        assert "upgrading   to v2" in status.out, status.out
        await h.runs.signal(handle.id, "approve")
        assert (await client.get_workflow_handle(handle.id).result())["notified"] is True
        status = await tdsl("status", handle.id, "--address", temporal_address)
        assert "upgraded    v1 (" in status.out and ") at notify, " in status.out, status.out
        assert "upg_approval v2  COMPLETED" in status.out

        both_runs = f"WorkflowId = '{handle.id}'"
        replayed = await tdsl("replay", "--query", both_runs, "--address", temporal_address)
        assert replayed.code == 0, replayed.out + replayed.err


async def test_http_and_engine_api(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        add(h, d.APPROVAL_V1)
        handle = await h.start("upg_approval", {"id": "H-1"})
        await at_step(h, handle.id, 1)
        add(h, d.APPROVAL_V2)
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(upgrades.router)
        app.dependency_overrides[get_runs] = lambda: h.runs
        app.dependency_overrides[require_token] = lambda: None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            answer = await http.post(
                "/definitions/upg_approval/upgrade", json={"dry_run": True, "run_id": handle.id}
            )
            assert answer.status_code == 200, answer.text
            [run] = answer.json()["runs"]
            assert (run["status"], run["from"]["version"], run["to"]["version"]) == ("compatible", 1, 2)
            unknown = await http.post("/definitions/nope/upgrade", json={})
            assert unknown.status_code == 404
            assert unknown.json()["error"]["type"] == "UnknownDefinition"

        engine = TemporalEngine(client=client, task_queue=task_queue)
        engine.runs = h.runs
        [report] = await engine.upgrade("upg_approval", run_id=handle.id)
        assert report.status == "moved"
        again = await engine.upgrade("upg_approval", run_id=handle.id)
        assert [r.status for r in again] == ["refused"]
        assert again[0].reason == "an upgrade is already waiting for the run's next safe point"
        await h.runs.signal(handle.id, "approve")
        assert (await client.get_workflow_handle(handle.id).result())["notified"] is True
