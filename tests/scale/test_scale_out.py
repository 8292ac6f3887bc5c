"""Scale-out, shown: three ``tdsl worker`` processes on one task queue run the workflows, two more on a second
queue run the activities the definition routes there. One workflow worker is killed with SIGKILL in the middle
of a 2,000-item fan-out, one activity worker in the middle of the compensations of a failed run: nothing is
lost, every item is applied exactly once and every compensation takes effect exactly once (activities run at
least once; the idempotency key makes the second run of a killed call a no-op).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowFailureError

from tdsl.activities import ActivityRegistry
from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.runs import RunService
from tests.scale import effects
from tests.server.cli import ROOT, TDSL, environment
from tests.support import eventually

FANOUT = """\
name: scale_fanout
description: Apply a change to every item on the activity queue; undo them all when asked to fail.
defaults: {timeout: 3s, retry: {initial_interval: 100ms, maximum_interval: 1s, maximum_attempts: 10}}
compensation_order: parallel
steps:
  - id: items
    foreach:
      items: "{{ range(input.count) | list }}"
      concurrency: 50
      collect: summary
      steps:
        - id: apply
          activity: apply_item
          args: ["{{ item }}"]
          task_queue: "{{ input.io_queue }}"
          compensate:
            activity: undo_item
            args: ["{{ item }}", "{{ input.undo_seconds }}"]
            task_queue: "{{ input.io_queue }}"
  - if: "{{ input.fail }}"
    fail: {type: Stop, message: undo every item}
output: {succeeded: "{{ steps.items.succeeded }}", failed: "{{ steps.items.failed }}"}
"""


@dataclass
class WorkerProcess:
    queue: str
    process: asyncio.subprocess.Process


@asynccontextmanager
async def workers(
    address: str, folder: Path, database: Path, queues: list[str]
) -> AsyncIterator[list[WorkerProcess]]:
    """One ``tdsl worker`` process per entry of ``queues``, each ready (its banner printed) on entry."""
    env = {**environment(), "TDSL_TEST_EFFECTS": str(database)}
    started: list[WorkerProcess] = []
    try:
        for queue in queues:
            process = await asyncio.create_subprocess_exec(
                TDSL, "worker", "--address", address, "--task-queue", queue, "--definitions", str(folder),
                "--activity-module", "tests.scale.effects",
                cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            started.append(WorkerProcess(queue, process))
        for worker in started:
            assert worker.process.stdout is not None
            banner = (await asyncio.wait_for(worker.process.stdout.readline(), 60)).decode()
            assert f"task_queue={worker.queue}" in banner and "scale_fanout" in banner, banner
        yield started
    finally:
        for worker in started:
            if worker.process.returncode is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in started:
            await asyncio.wait_for(worker.process.wait(), 60)


def count(database: Path, sql: str, *params: object) -> int:
    db = sqlite3.connect(database, timeout=30)
    try:
        return int(db.execute(sql, params).fetchone()[0])
    finally:
        db.close()


async def kill_when(
    database: Path, sql: str, at_least: int, victim: WorkerProcess | None, *params: object
) -> None:
    """Wait until ``sql`` counts ``at_least`` rows, then SIGKILL ``victim`` (if given)."""

    async def reached() -> bool:
        return count(database, sql, *params) >= at_least

    await eventually(reached, timeout=120, what=sql)
    if victim is not None:
        victim.process.send_signal(signal.SIGKILL)
        await victim.process.wait()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Catalog, ActivityRegistry]:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "scale_fanout.yaml").write_text(FANOUT, encoding="utf-8")
    database = tmp_path / "effects.db"
    sqlite3.connect(database).executescript(effects.SCHEMA)
    registry = ActivityRegistry()
    registry.register(effects.apply_item)
    registry.register(effects.undo_item)
    catalog = Catalog.load(folder, registry)
    assert not catalog.invalid, {f: e.render() for f, e in catalog.invalid.items()}
    return folder, database, catalog, registry


async def test_fan_out_survives_a_killed_workflow_worker_and_compensations_take_effect_once(
    client: Client,
    temporal_address: str,
    task_queue: str,
    setup: tuple[Path, Path, Catalog, ActivityRegistry],
) -> None:
    folder, database, catalog, registry = setup
    io_queue = f"{task_queue}-io"
    runs = RunService(client, catalog, registry, task_queue)
    queues = [task_queue] * 3 + [io_queue] * 2
    async with workers(temporal_address, folder, database, queues) as started:
        # 2,000 items while one of the three workflow workers dies a quarter of the way through.
        run = await runs.start("scale_fanout", {"count": 2000, "io_queue": io_queue, "fail": False,
                                                "undo_seconds": 0})
        await kill_when(database, "SELECT COUNT(*) FROM effects WHERE kind = 'apply'", 500, started[0])
        result = await runs.result(run.workflow_id, timeout=240)
        assert result == {"succeeded": 2000, "failed": 0}
        assert count(database, "SELECT COUNT(*) FROM effects WHERE kind = 'apply'") == 2000
        assert count(database, "SELECT COUNT(DISTINCT item) FROM effects WHERE kind = 'apply'") == 2000

        # A failed run undoes its 200 items, in parallel, each undo taking half a second; one of the two
        # activity workers dies while it runs some of them.
        failing = await runs.start("scale_fanout", {"count": 200, "io_queue": io_queue, "fail": True,
                                                    "undo_seconds": 0.5})
        # The activity worker that runs the first undo dies while it runs it (and the others it took).
        await kill_when(database, "SELECT COUNT(*) FROM executions WHERE kind = 'undo'", 1, None)
        first_pid = count(database, "SELECT pid FROM executions WHERE kind = 'undo' LIMIT 1")
        [victim] = [w for w in started[3:] if w.process.pid == first_pid]
        victim.process.send_signal(signal.SIGKILL)
        await victim.process.wait()
        with pytest.raises(WorkflowFailureError):
            await client.get_workflow_handle(failing.workflow_id).result()
    undo_key = f"{failing.workflow_id}/%"
    undone = count(database, "SELECT COUNT(*) FROM effects WHERE kind = 'undo' AND key LIKE ?", undo_key)
    runs_of_undo = count(database, "SELECT COUNT(*) FROM executions WHERE kind = 'undo' AND key LIKE ?",
                         undo_key)
    assert undone == 200  # every item undone, each exactly once...
    assert runs_of_undo > 200  # ...although the undos the killed worker was running ran again
    assert count(database, "SELECT COUNT(DISTINCT item) FROM effects WHERE kind = 'undo'") == 200
