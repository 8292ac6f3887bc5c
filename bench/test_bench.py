"""``tdsl test`` over the example test files, and the same scenarios as integration tests on a dev server.

    /work/venv/bin/python bench/test_bench.py [--rounds 5] [--server-rounds 3]

Offline (no server):

* ``tdsl test``: the command as a user runs it over ``definitions/tests/`` (process start, imports, loading
  the catalog and every case), best wall time of ``--rounds``;
* in process: :func:`tdsl.server.testing.run_paths` over the same files after a warm-up, best of ``--rounds``:
  cases per second, and the CPU time of each case (the goal: whole set under 2 s wall, each case under 50 ms
  CPU).

Side by side with a dev server: the cases that do not depend on virtual time (no signals, updates, queries or
cancellation, and at most 3 s of virtual time, i.e. retry backoffs) run again as integration tests would run
them: a real Temporal dev server (in memory, as the test suite starts it), a worker with the generic workflow
and the case's mocks as activities (one dynamic activity dispatching to them), each case started, awaited and
its status compared with the offline run. Per-case wall time of both is reported; the goal: offline >= 50x
faster.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio import activity  # noqa: E402
from temporalio.client import Client, WorkflowFailureError  # noqa: E402
from temporalio.common import RawValue  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from tdsl.dsl_schema.catalog import Catalog  # noqa: E402
from tdsl.dsl_schema.testfile import TestFile, find_test_files  # noqa: E402
from tdsl.interpreter import DSLWorkflow, RunPayload  # noqa: E402
from tdsl.interpreter import workflow_runner as dsl_workflow_runner  # noqa: E402
from tdsl.interpreter.kwargs import split_arguments  # noqa: E402
from tdsl.server.devserver import TEST_DYNAMIC_CONFIG, DevServer  # noqa: E402
from tdsl.server.testing.mocks import build_mocks  # noqa: E402
from tdsl.server.testing.runner import Catalogs, load_for_run, run_case, run_paths  # noqa: E402

TESTS = ROOT / "definitions" / "tests"
TDSL = str(Path(sys.executable).parent / "tdsl")
TASK_QUEUE = "test-bench"
SERVER_ELIGIBLE_SECONDS = 3.0

# The mocks of the case each workflow id runs (the dynamic activity looks its mocks up by the caller's id).
MOCKS: dict[str, dict[str, Callable[..., Any]]] = {}


@activity.defn(dynamic=True)
async def mocked(args: Sequence[RawValue]) -> Any:
    """Every activity of the definitions: the mock of the running case."""
    info = activity.info()
    converter = activity.payload_converter()
    values, kwargs = split_arguments([converter.from_payload(raw.payload) for raw in args])
    mock = MOCKS[info.workflow_id or ""][info.activity_type]
    result = mock(*values, **kwargs)
    if asyncio.iscoroutine(result):
        result = await result
    return result


@dataclass
class Scenario:
    test: TestFile
    index: int
    catalog: Catalog
    status: str
    offline_wall: float

    @property
    def name(self) -> str:
        return f"{Path(self.test.file).name}::{self.test.cases[self.index]['name']}"


def offline_cli(rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        command = [TDSL, "test", str(TESTS)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - began)
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
    return best


def offline_in_process(rounds: int) -> tuple[float, int, list[float]]:
    run_paths([TESTS])  # warm-up: imports, expression caches
    best, cases, cpu = float("inf"), 0, []
    for _ in range(rounds):
        report = run_paths([TESTS])
        if report.exit_code != 0:
            raise RuntimeError("a case failed")
        if report.wall < best:
            best, cases, cpu = report.wall, len(report.cases), [case.cpu for case in report.cases]
    return best, cases, cpu


def scenarios(rounds: int) -> list[Scenario]:
    """The cases a dev server can run in about the same real time as their virtual time (offline wall
    time: best of ``rounds``)."""
    catalogs = Catalogs(ROOT / "definitions")
    found = []
    for path in find_test_files([TESTS]):
        test, catalog = load_for_run(path, catalogs)
        for index, case in enumerate(test.cases):
            if any(case.get(key) for key in ("signals", "updates", "queries", "cancel_at")):
                continue
            outcomes = [run_case(test, index, catalog) for _ in range(rounds)]
            result = outcomes[0].result
            assert result is not None
            # On the server the clock is today's: the case must be as quick starting now (a `wait until` a
            # fixed date is not).
            today = copy.deepcopy(test)
            today.doc.data["cases"][index]["start_time"] = datetime.now(UTC).isoformat()
            now_result = run_case(today, index, catalog).result
            assert now_result is not None
            if max(result.elapsed, now_result.elapsed) <= SERVER_ELIGIBLE_SECONDS:
                wall = min(outcome.wall for outcome in outcomes)
                found.append(Scenario(test, index, catalog, result.status, wall))
    return found


async def on_server(client: Client, scenario: Scenario) -> tuple[float, str]:
    """Run the scenario on the server; its wall time and status."""
    case = scenario.test.cases[scenario.index]
    entry = scenario.catalog.get(scenario.test.definition)
    assert entry is not None
    workflow_id = f"bench-{uuid.uuid4().hex[:10]}"
    MOCKS[workflow_id] = build_mocks(scenario.test.doc.data.get("mocks"), case.get("mocks"))
    payload = RunPayload(
        definition=entry.data, input=case.get("input"),
        children=scenario.catalog.children_of(entry.name), source=entry.source,
    ).to_data()
    began = time.perf_counter()
    try:
        await client.execute_workflow(
            entry.name, payload, id=workflow_id, task_queue=TASK_QUEUE, memo=entry.memo(),
            execution_timeout=timedelta(seconds=60),
        )
        status = "completed"
    except WorkflowFailureError:
        status = "failed"
    return time.perf_counter() - began, status


async def server_side(found: list[Scenario], rounds: int) -> dict[str, float]:
    with DevServer(dynamic_config=TEST_DYNAMIC_CONFIG) as server:
        client = await connect(server.address)
        async with Worker(
            client, task_queue=TASK_QUEUE, workflows=[DSLWorkflow], activities=[mocked],
            workflow_runner=dsl_workflow_runner(),
        ):
            await on_server(client, found[0])  # warm-up
            best: dict[str, float] = {}
            for _ in range(rounds):
                for scenario in found:
                    took, status = await on_server(client, scenario)
                    print(f"  {scenario.name}: {took * 1000:.0f} ms on the server", flush=True)
                    if status != scenario.status:
                        problem = f"{scenario.name}: {status} on the server, {scenario.status} offline"
                        raise RuntimeError(problem)
                    best[scenario.name] = min(best.get(scenario.name, float("inf")), took)
    return best


async def connect(address: str) -> Client:
    deadline = time.monotonic() + 30
    while True:  # the port opens a moment before the frontend answers
        try:
            return await Client.connect(address)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server-rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("temporalio").setLevel(logging.ERROR)  # mocked activity failures are expected

    cli = offline_cli(args.rounds)
    wall, cases, cpu = offline_in_process(args.rounds)
    files = len(find_test_files([TESTS]))
    print(f"tdsl test (process, {files} files): {cli:.2f} s wall (best of {args.rounds})")
    print(f"in process: {cases} cases in {wall * 1000:.0f} ms = {cases / wall:.0f} cases/s; CPU per case "
          f"median {statistics.median(cpu) * 1000:.1f} ms, max {max(cpu) * 1000:.1f} ms")
    print(f"goals: whole set under 2 s wall: {'met' if cli < 2 else 'NOT met'}; "
          f"each case under 50 ms CPU: {'met' if max(cpu) < 0.05 else 'NOT met'}")

    found = scenarios(args.rounds)
    server = asyncio.run(server_side(found, args.server_rounds))
    print()
    print("| scenario | offline ms | dev server ms | ratio |")
    print("|---|---|---|---|")
    ratios = []
    for scenario in found:
        ratio = server[scenario.name] / scenario.offline_wall
        ratios.append(ratio)
        offline_ms, server_ms = scenario.offline_wall * 1000, server[scenario.name] * 1000
        print(f"| {scenario.name} | {offline_ms:.1f} | {server_ms:.0f} | {ratio:.0f}x |")
    total_offline = sum(s.offline_wall for s in found)
    total_server = sum(server.values())
    print(f"| all {len(found)} | {total_offline * 1000:.0f} | {total_server * 1000:.0f} | "
          f"{total_server / total_offline:.0f}x |")
    met = "met" if total_server / total_offline >= 50 else "NOT met"
    print(f"\nmedian ratio {statistics.median(ratios):.0f}x, min {min(ratios):.0f}x; "
          f"goal offline >= 50x faster: {met}")
    sys.stdout.flush()
    os._exit(0)  # leaving normally after using a Temporal client can abort in native code


if __name__ == "__main__":
    main()
