"""Declared schedules on the session dev server: apply creates, a second apply changes nothing, an edit is an
update (listed field by field in a dry run first), --prune deletes what is no longer declared, and trigger,
backfill, pause and unpause act on the schedules. Nothing waits for the clock: runs are triggered or
backfilled."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from temporalio.client import Client
from temporalio.service import RPCError

from tdsl.server.engine import TemporalEngine
from tdsl.server.schedules import ScheduleService, UnknownSchedule
from tests.server.helpers import make_settings
from tests.support import eventually

REPORT = """\
name: nightly_report
input:
  type: object
  required: [source]
  properties:
    source: {type: string}
schedules:
  nightly:
    cron: "0 2 * * *"
    timezone: Europe/Paris
    input: {source: warehouse}
  hourly:
    interval: 1h
    input: {source: lake}
    overlap: allow_all
steps:
  - id: read
    set: {source: "{{ input.source }}"}
output:
  source: "{{ vars.source }}"
"""

class EngineFactory(Protocol):
    async def __call__(self, text: str, **schedules: Any) -> TemporalEngine: ...


@pytest.fixture
async def engines(client: Client, tmp_path: Path) -> AsyncIterator[EngineFactory]:
    """Start engines on one task queue over ``tmp_path`` holding the given definition text; at the end
    delete every schedule they own and stop them."""
    queue = f"sched-{uuid.uuid4().hex[:10]}"
    started: list[TemporalEngine] = []

    async def start(text: str, **schedules: Any) -> TemporalEngine:
        if started:  # one worker per task queue and client: the edited definitions replace the engine
            await started[-1].stop()
        (tmp_path / "nightly_report.yaml").write_text(text, encoding="utf-8")
        settings = make_settings(queue, definitions=tmp_path)
        settings.schedules = settings.schedules.model_copy(update=schedules)
        engine = TemporalEngine(settings=settings, client=client)
        await engine.start()
        started.append(engine)
        return engine

    yield start
    for name in ("nightly", "hourly"):  # by id: listing may lag behind a create
        with contextlib.suppress(RPCError):
            await client.get_schedule_handle(f"tdsl:{queue}:nightly_report:{name}").delete()
    if started:
        await started[-1].stop()


def _actions(plan: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.schedule: (c.action, c.fields) for c in plan.changes}


async def test_apply_creates_then_is_a_no_op_then_updates_and_prunes(engines: EngineFactory) -> None:
    engine = await engines(REPORT)
    service = engine.schedules
    plan = await service.apply()
    assert _actions(plan) == {"nightly": ("create", ()), "hourly": ("create", ())}
    nightly = await service.describe("nightly_report:nightly")
    assert nightly["id"] == f"tdsl:{service.task_queue}:nightly_report:nightly"
    assert nightly["paused"] is False and nightly["declared"]["timezone"] == "Europe/Paris"

    again = await service.apply()
    assert _actions(again) == {"nightly": ("unchanged", ()), "hourly": ("unchanged", ())}
    assert not again.changed

    edited = REPORT.replace("timezone: Europe/Paris", "timezone: America/New_York").replace(
        "input: {source: lake}", "input: {source: river}")
    engine = await engines(edited)
    service = engine.schedules
    dry = await service.apply(dry_run=True)
    assert not dry.applied
    assert _actions(dry) == {"nightly": ("update", ("definition", "timezone")),
                             "hourly": ("update", ("definition", "input"))}
    assert (await service.describe("nightly_report:nightly"))["declared"]["timezone"] == "Europe/Paris"
    assert _actions(await service.apply())["nightly"] == ("update", ("definition", "timezone"))
    assert (await service.describe("nightly_report:nightly"))["declared"]["timezone"] == "America/New_York"
    assert not (await service.apply()).changed

    # The hourly entry goes away: without --prune it stays, with --prune it is deleted.
    without_hourly = edited.split("  hourly:")[0] + "steps:" + edited.split("steps:")[1]
    engine = await engines(without_hourly)
    service = engine.schedules
    assert _actions(await service.apply()) == {"nightly": ("update", ("definition",))}
    hourly_id = f"tdsl:{service.task_queue}:nightly_report:hourly"

    async def listed() -> bool:  # the server lists a new schedule a moment after creating it
        return hourly_id in {s["id"] for s in await service.list_schedules()}

    await eventually(listed, what="the hourly schedule to be listed")
    pruned = await service.apply(prune=True, dry_run=True)
    assert _actions(pruned)["hourly"] == ("delete", ())
    await service.describe(hourly_id)  # the dry run deleted nothing
    assert _actions(await service.apply(prune=True))["hourly"] == ("delete", ())
    with pytest.raises(UnknownSchedule):
        await service.describe(hourly_id)


async def _run_ids(service: ScheduleService, name: str, count: int) -> list[str]:
    async def started() -> list[str] | None:
        runs = (await service.describe(name))["recent_runs"]
        ids = [r["workflow_id"] for r in runs if r["workflow_id"]]
        return ids if len(ids) >= count else None

    return await eventually(started, what=f"{count} runs of {name}")


async def test_trigger_starts_a_run_with_the_schedules_input_and_pause_unpause(
    engines: EngineFactory,
) -> None:
    engine = await engines(REPORT)
    service = engine.schedules
    await service.apply()
    paused = await service.pause("nightly_report:nightly", note="maintenance")
    assert paused["paused"] is True and paused["note"] == "maintenance"
    assert not (await service.apply()).changed  # an operator's pause is not undone by apply
    unpaused = await service.unpause("nightly_report:nightly")
    assert unpaused["paused"] is False

    await service.trigger("nightly_report:nightly")
    (workflow_id,) = await _run_ids(service, "nightly_report:nightly", 1)
    runs = engine.require_runs()
    assert await runs.result(workflow_id, timeout=30) == {"source": "warehouse"}
    # Started exactly as `tdsl run` starts it: the definition's type, memo and pinned definition.
    entry = runs.catalog.entries["nightly_report"]
    info = await runs.info(workflow_id)
    assert (info.workflow_type, info.definition, info.sha256) == ("nightly_report", "nightly_report",
                                                                  entry.sha256)
    args, _ = runs.starter.run_arguments(entry, {"source": "warehouse"})
    assert await runs.inspector.start_input(workflow_id) == args

    with pytest.raises(UnknownSchedule, match="did you mean 'nightly_report:nightly'"):
        await service.trigger("nightly_report:nightly2")


async def test_backfill_starts_the_runs_of_a_past_window(engines: EngineFactory) -> None:
    engine = await engines(REPORT)
    service = engine.schedules
    await service.apply()
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    due = [hour + timedelta(hours=n) for n in range(3)]
    await service.backfill("nightly_report:hourly", due[0] - timedelta(minutes=30),
                           due[-1] + timedelta(minutes=30))

    async def backfilled() -> list[dict[str, Any]] | None:
        runs = (await service.describe("nightly_report:hourly"))["recent_runs"]
        found = [r for r in runs if datetime.fromisoformat(r["scheduled_at"]) in due]
        return found if len(found) == 3 else None

    found = await eventually(backfilled, what="three backfilled runs")
    runs = engine.require_runs()
    for run in found:
        assert await runs.result(run["workflow_id"], timeout=30) == {"source": "lake"}


async def test_apply_on_start_and_delete(engines: EngineFactory) -> None:
    engine = await engines(REPORT, apply_on_start=True)
    service = engine.schedules
    assert not (await service.apply(dry_run=True)).changed  # start applied them
    deleted = await service.delete("nightly_report:hourly")
    assert deleted["deleted"] is True
    assert _actions(await service.apply(dry_run=True))["hourly"] == ("create", ())


async def test_prune_keeps_the_schedules_of_a_definition_with_errors(engines: EngineFactory) -> None:
    engine = await engines(REPORT)
    await engine.schedules.apply()
    nightly = f"tdsl:{engine.schedules.task_queue}:nightly_report:nightly"

    async def listed() -> bool:
        return nightly in {s["id"] for s in await engine.schedules.list_schedules()}

    await eventually(listed, what="the nightly schedule to be listed")
    broken = await engines(REPORT.replace('cron: "0 2 * * *"', 'cron: "0 25 * * *"'))  # E450
    assert "nightly_report" not in broken.catalog.entries
    plan = await broken.schedules.apply(prune=True)
    assert plan.changes == []
    assert (await broken.schedules.describe("nightly_report:nightly"))["declared"]["cron"] == "0 2 * * *"
