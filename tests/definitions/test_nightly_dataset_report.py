"""definitions/nightly_dataset_report.yaml on the real dev server: its two declared schedules apply as
declared (the hourly one paused, with its note), and a triggered nightly run counts the warehouse datasets
and mails the report."""

from __future__ import annotations

import contextlib

from temporalio.client import Client
from temporalio.service import RPCError

from tdsl.server.schedules import ScheduleService
from tests.support import eventually, harness


async def test_its_schedules_apply_and_a_triggered_night_runs(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        schedules = ScheduleService(h.runs)
        ours = [d for d in schedules.desired().values() if d.definition == "nightly_dataset_report"]
        assert sorted(d.name for d in ours) == ["hourly_orders", "nightly"]
        try:
            plan = await schedules.apply()
            actions = {c.schedule: c.action for c in plan.changes if c.definition == "nightly_dataset_report"}
            assert actions == {"nightly": "create", "hourly_orders": "create"}
            hourly = await schedules.describe("nightly_dataset_report:hourly_orders")
            assert hourly["paused"] is True and hourly["note"] == "unpause during sales events"

            await schedules.trigger("nightly_dataset_report:nightly")

            async def started() -> str | None:
                runs = (await schedules.describe("nightly_dataset_report:nightly"))["recent_runs"]
                return runs[0]["workflow_id"] if runs and runs[0]["workflow_id"] else None

            workflow_id = await eventually(started, what="the triggered run")
            result = await h.runs.result(workflow_id, timeout=30)
        finally:
            for d in schedules.desired().values():
                with contextlib.suppress(RPCError):
                    await client.get_schedule_handle(d.id).delete()
    assert result["datasets"] == ["orders", "customers", "invoices"]
    assert len(result["counts"]) == 3 and result["total"] == sum(result["counts"])
    assert result["mailed"] is True
