"""Record golden histories: ``python -m tests.golden.record [NAME ...]``.

Starts a fresh dev server (in memory, on free ports), runs each scenario of :mod:`tests.golden.scenarios`
with a worker of the project's definitions and activities, checks its outcome and that its history replays,
and writes ``tests/golden/<release>/<name>.json`` (the release: the version in ``pyproject.toml``). An
existing golden file is never overwritten: a history that no longer replays is a break to fix, not to
re-record. See the scenarios module for how to add one.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.worker import Replayer

from tdsl.interpreter import DSLWorkflow, workflow_runner
from tdsl.server.devserver import TEST_DYNAMIC_CONFIG, DevServer
from tdsl.server.replay import history_text
from tdsl.server.runs import RunService
from tests.support import harness, time_skipping_runs

from .releases import current_folder
from .scenarios import SCENARIOS, Scenario, by_name

__all__ = ["history_text", "main", "record"]
IDENTITY = "golden-recorder"  # fixed, so files hold no host name or process id
TASK_QUEUE = "golden"


async def _connect(address: str) -> Client:
    deadline = time.monotonic() + 30
    while True:  # the port opens a moment before the frontend answers
        try:
            return await Client.connect(address, identity=IDENTITY)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


EXPECTED = {
    "completed": WorkflowExecutionStatus.COMPLETED,
    "failed": WorkflowExecutionStatus.FAILED,
    "cancelled": WorkflowExecutionStatus.CANCELED,
    "continued_as_new": WorkflowExecutionStatus.CONTINUED_AS_NEW,
}


async def record_one(scenario: Scenario, runs: RunService, client: Client) -> Path:
    started = await runs.start(scenario.definition, scenario.input, workflow_id=scenario.workflow_id)
    handle = client.get_workflow_handle(scenario.workflow_id)
    if scenario.drive is not None:
        await scenario.drive(handle, runs)
    try:
        await asyncio.wait_for(handle.result(), 120)  # follows a continue-as-new chain to its end
    except TimeoutError:
        raise RuntimeError(f"{scenario.name}: the run did not finish within 120 s") from None
    except WorkflowFailureError:
        pass  # a failed or cancelled run is an outcome like any other; its status is checked below
    if scenario.outcome == "continued_as_new":
        # The file holds the first run: the one whose history carries the continue-as-new command.
        handle = client.get_workflow_handle(scenario.workflow_id, run_id=started.run_id)
    status = (await handle.describe()).status
    if status != EXPECTED[scenario.outcome]:
        raise RuntimeError(f"{scenario.name}: expected {scenario.outcome}, the run ended {status}")
    history = await handle.fetch_history()
    await Replayer(workflows=[DSLWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
    path = current_folder() / scenario.file_name
    path.parent.mkdir(exist_ok=True)
    path.write_text(history_text(history), encoding="utf-8")
    return path


async def record(scenarios: list[Scenario]) -> list[Path]:
    written = []
    settings = sorted({scenario.dynamic_config for scenario in scenarios})
    for extra in settings:  # one fresh server per set of extra settings
        with DevServer(dynamic_config=TEST_DYNAMIC_CONFIG + extra) as server:
            client = await _connect(server.address)
            async with harness(client, TASK_QUEUE) as h:
                for scenario in scenarios:
                    if scenario.dynamic_config != extra:
                        continue
                    if scenario.source is not None and h.add(scenario.source) != scenario.definition:
                        raise RuntimeError(
                            f"{scenario.name}: its source must be named {scenario.definition!r}"
                        )
                    runs = time_skipping_runs(h) if scenario.time_skipping else h.runs
                    with scenario.serving() as served:
                        path = await record_one(served, runs, client)
                    print(f"recorded {scenario.name}: {path}")
                    written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    # Expected activity failures (an item out of stock) are logged with tracebacks by the SDK: noise here.
    logging.getLogger("temporalio.activity").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(prog="python -m tests.golden.record", description="Record golden runs.")
    parser.add_argument(
        "names", nargs="*", help="scenarios to record (default: those the current release has not recorded)"
    )
    args = parser.parse_args(argv)
    try:
        scenarios = by_name(args.names) if args.names else list(SCENARIOS)
    except KeyError as err:
        print(f"error: {err.args[0]}", file=sys.stderr)
        return 2
    folder = current_folder()
    existing = [s.name for s in scenarios if (folder / s.file_name).exists()]
    if args.names and existing:
        print(f"error: already recorded in {folder} (golden files are never re-recorded; a new behaviour "
              f"gets a new scenario): {', '.join(existing)}", file=sys.stderr)
        return 2
    scenarios = [s for s in scenarios if s.name not in existing]
    if not scenarios:
        print(f"every scenario is recorded in {folder}")
        return 0
    try:
        asyncio.run(record(scenarios))
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    # Leave at once: a normal exit after using a Temporal client can abort in native code.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
