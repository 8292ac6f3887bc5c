"""Replay throughput: ``tdsl replay`` over 1,000 history files, in histories per second.

    .venv/bin/python bench/replay_bench.py [--histories 1000] [--rounds 3]

Copies the current release's golden histories (``tests/golden/<version>/``: approvals, sagas, timers, child
workflows, a batched foreach, a continue-as-new...) round-robin into a temporary folder until it holds
``--histories`` files, then times, on the same files:

* ``tdsl replay DIR``: the command line as a team runs it before deploying (process start, imports, reading
  and parsing every file, replaying, the report);
* ``replay_histories``: the library call in-process over histories already read (replay, the command
  recording that explains divergences, the outcome per history);
* ``Replayer``: the SDK's replayer with the same workflow and runner and nothing else (the floor).

Each figure is the best of ``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.client import WorkflowHistory  # noqa: E402
from temporalio.worker import Replayer  # noqa: E402

from tdsl.interpreter import DSLWorkflow, workflow_runner  # noqa: E402
from tdsl.server.replay import Labelled, load_paths, replay_histories  # noqa: E402
from tests.golden.releases import current_folder  # noqa: E402

TDSL = str(Path(sys.executable).parent / "tdsl")


def fill(folder: Path, count: int) -> list[Path]:
    goldens = sorted(current_folder().glob("*.json"))
    written = []
    for index in range(count):
        source = goldens[index % len(goldens)]
        target = folder / f"{index:05d}-{source.name}"
        shutil.copyfile(source, target)
        written.append(target)
    return written


def best(times: list[float]) -> float:
    return min(times)


def time_cli(folder: Path, count: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([TDSL, "replay", str(folder)], capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    if done.returncode != 0 or last != f"{count} histories: {count} replay, 0 diverge":
        raise SystemExit(f"tdsl replay failed ({done.returncode}): {last}")
    return elapsed


async def time_library(items: list[Labelled]) -> float:
    started = time.perf_counter()
    outcomes = [o async for o in replay_histories(items)]
    elapsed = time.perf_counter() - started
    assert len(outcomes) == len(items) and all(o.ok for o in outcomes)
    return elapsed


async def time_floor(histories: list[WorkflowHistory]) -> float:
    replayer = Replayer(workflows=[DSLWorkflow], workflow_runner=workflow_runner())

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in histories:
            yield history

    started = time.perf_counter()
    results = await replayer.replay_workflows(each(), raise_on_replay_failure=False)
    elapsed = time.perf_counter() - started
    assert len(results.replay_failures) == 0
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        folder = Path(tmp)
        paths = fill(folder, args.histories)
        items = load_paths(paths)
        events = sum(len(item.history.events) for item in items)
        cli, library, floor = [], [], []
        for _ in range(args.rounds):
            cli.append(time_cli(folder, args.histories))
            library.append(asyncio.run(time_library(items)))
            floor.append(asyncio.run(time_floor([item.history for item in items])))
    n = args.histories
    print(f"{n} histories ({events} events), best of {args.rounds} rounds")
    print("| path | seconds | histories/s |")
    print("|---|---|---|")
    for name, times in (("`tdsl replay DIR`", cli), ("`replay_histories` (in-process)", library),
                        ("`Replayer` alone (floor)", floor)):
        print(f"| {name} | {best(times):.2f} | {n / best(times):.0f} |")


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)
