"""``order_processing`` through the DSL against the same workflow written by hand.

    /work/venv/bin/python bench/order_bench.py [--runs 500] [--rounds 5] [--concurrency 50] [--sqlite]

One Temporal dev server, started here: in memory by default, or ``--sqlite`` for a SQLite file in WAL mode
as ``tdsl dev`` uses. One worker serves both variants on one task queue, so they share every setting (the
engine's default worker settings, the sandboxed runner with the same pass-through modules, the example
activities ``charge_payment``, ``reserve_inventory`` and ``send_email`` from the activity registry):

* ``dsl``: the generic workflow interpreting ``definitions/order_processing.yaml``, started as the engine
  starts it (the validated definition in the input, the memo);
* ``hand``: :class:`handwritten_order.HandwrittenOrder`, the same three activities with the same options.

Rounds alternate the variants (and which goes first); each round runs ``--runs / --rounds`` orders per
variant with ``--concurrency`` runs in flight (start and wait for the result). A variant's throughput is its
runs divided by its time over all rounds. History events per run are counted on a sample of runs of each.
Target: dsl / hand >= 0.9 with the same number of events per run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from handwritten_order import HandwrittenOrder  # noqa: E402
from orders import order  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.worker import Worker  # noqa: E402
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions  # noqa: E402

from tdsl import activities  # noqa: E402
from tdsl.dsl_schema.catalog import Catalog  # noqa: E402
from tdsl.interpreter import PASSTHROUGH_MODULES, DSLWorkflow, RunPayload  # noqa: E402
from tdsl.server.config import WorkerSettings  # noqa: E402
from tdsl.server.devserver import DevServer  # noqa: E402

DEFINITION = "order_processing"
TASK_QUEUE = "order-bench"

Runner = Callable[[int], Awaitable[Any]]



def build_worker(client: Client) -> Worker:
    """The engine's worker (``tdsl.server.worker.build_worker``: same settings and activities) serving both
    variants; the hand-written module is passed through the sandbox like the interpreter's modules."""
    settings = WorkerSettings()
    registry = activities.load_modules([activities.EXAMPLES])
    return Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[DSLWorkflow, HandwrittenOrder],
        activities=registry.activities(),
        activity_executor=ThreadPoolExecutor(max_workers=settings.max_concurrent_activities),
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(
                *PASSTHROUGH_MODULES, "handwritten_order"
            )
        ),
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflows,
        max_activities_per_second=settings.activities_per_second,
        max_cached_workflows=settings.max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.graceful_shutdown_seconds),
    )


def dsl_runner(client: Client, catalog: Catalog, ids: list[str]) -> Runner:
    entry = catalog.entries[DEFINITION]
    prefix = f"dsl-{uuid.uuid4().hex[:6]}"

    async def run(number: int) -> Any:
        data = order(prefix, number)
        workflow_id = f"order-{data['order_id']}"
        ids.append(workflow_id)
        payload = RunPayload(definition=entry.data, input=data).to_data()
        return await client.execute_workflow(
            DEFINITION, payload, id=workflow_id, task_queue=TASK_QUEUE, memo=entry.memo()
        )

    return run


def hand_runner(client: Client, ids: list[str]) -> Runner:
    prefix = f"hand-{uuid.uuid4().hex[:6]}"

    async def run(number: int) -> Any:
        data = order(prefix, number)
        workflow_id = f"order-{data['order_id']}"
        ids.append(workflow_id)
        return await client.execute_workflow(
            HandwrittenOrder.run, data, id=workflow_id, task_queue=TASK_QUEUE
        )

    return run


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process, or of process ``pid`` (from ``/proc``)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def batch(run: Runner, count: int, concurrency: int) -> float:
    """Run ``count`` orders with ``concurrency`` in flight; return the seconds it took."""
    numbers = iter(range(count))

    async def lane() -> None:
        for number in numbers:
            result = await run(number)
            if result["status"] != "completed":
                raise RuntimeError(f"unexpected result {result}")

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return time.perf_counter() - began


async def events_per_run(client: Client, ids: list[str], sample: int) -> list[int]:
    counts = []
    for workflow_id in ids[:: max(1, len(ids) // sample)][:sample]:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        counts.append(len(history.events))
    return counts


async def connect(address: str) -> Client:
    deadline = time.monotonic() + 30
    while True:  # the port opens a moment before the frontend answers
        try:
            return await Client.connect(address)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    catalog = Catalog.load(ROOT / "definitions")
    per_round = args.runs // args.rounds
    with tempfile.TemporaryDirectory() as state:
        db_file = str(Path(state) / "bench.db") if args.sqlite else None
        with DevServer(db_file=db_file) as server:
            client = await connect(server.address)
            async with build_worker(client):
                ids: dict[str, list[str]] = {"dsl": [], "hand": []}

                def runner(name: str) -> Runner:
                    if name == "dsl":
                        return dsl_runner(client, catalog, ids[name])
                    return hand_runner(client, ids[name])

                for name in ("dsl", "hand"):  # warm-up: imports, caches, connections
                    await batch(runner(name), args.warmup, min(args.concurrency, args.warmup))
                    ids[name].clear()
                seconds: dict[str, list[float]] = {"dsl": [], "hand": []}
                # CPU per run: this process (client and worker) and the dev server process
                cpu: dict[str, list[tuple[float, float]]] = {"dsl": [], "hand": []}
                server_pid = server.process.pid if server.process else None
                for index in range(args.rounds):
                    order_of_play = ("dsl", "hand") if index % 2 == 0 else ("hand", "dsl")
                    for name in order_of_play:
                        before = cpu_seconds(), cpu_seconds(server_pid)
                        took = await batch(runner(name), per_round, args.concurrency)
                        after = cpu_seconds(), cpu_seconds(server_pid)
                        seconds[name].append(took)
                        cpu[name].append((after[0] - before[0], after[1] - before[1]))
                        print(f"round {index + 1} {name:>4}: {per_round / took:6.1f} runs/s, CPU per run "
                              f"{1000 * cpu[name][-1][0] / per_round:.1f} ms worker+client, "
                              f"{1000 * cpu[name][-1][1] / per_round:.1f} ms server", flush=True)
                events = {name: await events_per_run(client, ids[name], args.sample) for name in ids}
    return {"seconds": seconds, "per_round": per_round, "events": events, "cpu": cpu}


def report(results: dict[str, Any], args: argparse.Namespace) -> bool:
    seconds, per_round, events = results["seconds"], results["per_round"], results["events"]
    rate = {name: per_round * len(times) / sum(times) for name, times in seconds.items()}
    rounds = {name: [per_round / t for t in times] for name, times in seconds.items()}
    ratio = rate["dsl"] / rate["hand"]
    server = "SQLite (WAL)" if args.sqlite else "in-memory"
    print()
    print(f"{per_round * args.rounds} runs per variant, {args.rounds} rounds, {args.concurrency} in flight, "
          f"{server} dev server")
    for name, label in (("dsl", "DSL (order_processing.yaml)"), ("hand", "hand-written workflow")):
        low, high, middle = min(rounds[name]), max(rounds[name]), statistics.median(rounds[name])
        spread = f"rounds {low:.1f}-{high:.1f}, median {middle:.1f}"
        worker_ms = 1000 * sum(c[0] for c in results["cpu"][name]) / (per_round * args.rounds)
        server_ms = 1000 * sum(c[1] for c in results["cpu"][name]) / (per_round * args.rounds)
        print(f"{label:<28} {rate[name]:6.1f} runs/s ({spread}); CPU per run {worker_ms:.1f} ms "
              f"worker+client, {server_ms:.1f} ms server; history events per run: "
              f"{sorted(set(events[name]))}")
    same_events = set(events["dsl"]) == set(events["hand"]) and len(set(events["dsl"])) == 1
    met = ratio >= 0.9 and same_events
    print(f"ratio DSL/hand-written: {ratio:.2f} (target >= 0.9); same events per run: {same_events} -> "
          f"{'met' if met else 'NOT met'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description="order_processing: DSL against a hand-written workflow")
    parser.add_argument("--runs", type=int, default=500, help="runs per variant (default 500)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--concurrency", type=int, default=50, help="runs in flight (default 50)")
    parser.add_argument("--warmup", type=int, default=20, help="uncounted runs per variant first")
    parser.add_argument("--sample", type=int, default=20, help="runs per variant whose events are counted")
    parser.add_argument("--sqlite", action="store_true", help="SQLite file in WAL mode instead of in-memory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    met = report(asyncio.run(bench(args)), args)
    return 0 if met else 1


if __name__ == "__main__":
    code = main()
    # Leave at once: a normal exit after using a Temporal client can abort in native code.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
