"""Declared schedules through ``tdsl schedules`` and ``/schedules`` of the HTTP service (the behaviour itself
is tested on the engine API in test_schedules.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tests.server.cli import tdsl
from tests.server.helpers import make_settings
from tests.server.test_schedules import REPORT


async def test_cli_apply_dry_run_apply_and_delete(
    client: Client, temporal_address: str, tmp_path: Path
) -> None:
    (tmp_path / "nightly_report.yaml").write_text(REPORT, encoding="utf-8")
    queue = f"sched-cli-{uuid.uuid4().hex[:8]}"
    common = ("--address", temporal_address, "--task-queue", queue, "--definitions", str(tmp_path))

    dry = await tdsl("schedules", "apply", "--dry-run", *common)
    assert dry.code == 0, dry.err
    assert f"+ create    tdsl:{queue}:nightly_report:nightly" in dry.out
    assert "2 create (dry run, nothing changed)" in dry.out

    applied = await tdsl("schedules", "apply", "--json", *common)
    assert applied.code == 0, applied.err
    assert json.loads(applied.out)["summary"] == {"create": 2, "update": 0, "delete": 0, "unchanged": 0}

    deleted = await tdsl("schedules", "delete", "nightly_report:nightly", *common)
    assert deleted.code == 0 and json.loads(deleted.out)["deleted"] is True, deleted.err
    missing = await tdsl("schedules", "trigger", "nightly_report:nightly", *common)
    assert missing.code == 1
    assert f"no schedule 'nightly_report:nightly' on task queue {queue!r}" in missing.err
    await client.get_schedule_handle(f"tdsl:{queue}:nightly_report:hourly").delete()


async def test_http_apply_describe_trigger_and_delete(client: Client, tmp_path: Path) -> None:
    (tmp_path / "nightly_report.yaml").write_text(REPORT, encoding="utf-8")
    settings = make_settings(f"sched-http-{uuid.uuid4().hex[:8]}", definitions=tmp_path)
    engine = TemporalEngine(settings=settings, client=client)
    await engine.start()
    transport = httpx.ASGITransport(app=create_app(engine))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            dry = await http.post("/schedules/apply", json={"dry_run": True})
            assert dry.status_code == 200, dry.text
            assert dry.json()["applied"] is False and dry.json()["summary"]["create"] == 2
            applied = (await http.post("/schedules/apply")).json()
            assert applied["applied"] is True and applied["summary"]["create"] == 2
            again = (await http.post("/schedules/apply", json={"prune": True})).json()
            assert again["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 2}

            described = await http.get("/schedules/nightly_report:nightly")
            assert described.status_code == 200, described.text
            assert described.json()["declared"]["cron"] == "0 2 * * *"
            paused = (await http.post("/schedules/nightly_report:hourly/pause", json={"note": "x"})).json()
            assert paused["paused"] is True and paused["note"] == "x"
            triggered = await http.post("/schedules/nightly_report:nightly/trigger")
            assert triggered.status_code == 200, triggered.text
            bad = await http.post("/schedules/nightly_report:nightly/backfill",
                                  json={"start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"})
            assert bad.status_code == 422 and bad.json()["error"]["type"] == "InvalidInput"

            for name in ("nightly", "hourly"):
                deleted = await http.delete(f"/schedules/nightly_report:{name}")
                assert deleted.status_code == 200 and deleted.json()["deleted"] is True
            missing = await http.get("/schedules/nightly_report:nightly")
            assert missing.status_code == 404
            assert missing.json()["error"]["type"] == "UnknownSchedule"
    finally:
        await engine.stop()
