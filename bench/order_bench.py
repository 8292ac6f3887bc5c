"""``order_processing`` through the DSL against the same workflow written by hand: throughput and worker CPU.

    .venv/bin/python bench/order_bench.py [--rounds 12] [--window 8] [--concurrency 25] [--sqlite]
    .venv/bin/python bench/order_bench.py --mode alternate [--runs 1000] [--rounds 10] [--concurrency 50]
    .venv/bin/python bench/order_bench.py --runs 600 --profile /tmp/worker.txt   # py-spy on each worker

One Temporal dev server, started here (in memory by default, ``--sqlite`` for a SQLite file in WAL mode as
``tdsl dev`` uses). Workers run in processes of their own (``bench/order_worker.py``: the engine's worker,
registering both workflows, so both variants share every setting); this process only starts runs and waits
for their results:

* ``dsl``: the generic workflow interpreting ``definitions/order_processing.yaml``, started as the engine
  starts it (the validated definition, pinned children and source map in the input, the memo);
* ``hand``: :class:`handwritten_order.HandwrittenOrder`, the same three activities with the same options.

``--mode together`` (default): two identical worker processes, one per variant (each on its own task
queue), and both variants run at the same time, ``--concurrency`` runs in flight each, without pause. The
measurement is cut into ``--rounds`` consecutive windows of ``--window`` seconds; in each window every
variant's completed runs and its worker's CPU seconds are counted, so whatever else the machine does in a
window falls on both variants alike. ``--mode alternate``: one worker process serving both, rounds of
``--runs / --rounds`` runs alternating the variants (``dsl, hand`` then ``hand, dsl``, ...).

Worker CPU is ``getrusage`` of the worker process, asked over a pipe (every thread: the workflow threads,
the activity threads and the SDK's native core); the dev server's comes from ``/proc``, the client's from
``process_time``, and the rest of the machine is ``/proc/stat`` busy time less these processes. In
``together`` mode the server, client and rest-of-machine figures are shared by both variants (split by
runs). The report gives medians over rounds and the ratios DSL/hand. Goals: throughput ratio >= 1.0
within noise, worker CPU ratio <= 1.05, the same history events per run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from handwritten_order import HandwrittenOrder  # noqa: E402
from orders import order  # noqa: E402
from temporalio.client import Client  # noqa: E402

from tdsl.dsl_schema.catalog import Catalog  # noqa: E402
from tdsl.interpreter import RunPayload  # noqa: E402
from tdsl.server.devserver import DevServer  # noqa: E402

DEFINITION = "order_processing"
TASK_QUEUE = "order-bench"
VARIANTS = ("dsl", "hand")
TICK = os.sysconf("SC_CLK_TCK")

Runner = Callable[[int], Awaitable[Any]]


def dsl_runner(client: Client, catalog: Catalog, ids: list[str], task_queue: str) -> Runner:
    """Start runs as the engine does (``tdsl.server.gateway.starting``)."""
    entry = catalog.entries[DEFINITION]
    children = catalog.children_of(DEFINITION)
    prefix = f"dsl-{uuid.uuid4().hex[:6]}"

    async def run(number: int) -> Any:
        data = order(prefix, number)
        workflow_id = f"order-{data['order_id']}"
        ids.append(workflow_id)
        payload = RunPayload(
            definition=entry.data, input=data, children=children, source=entry.source
        ).to_data()
        return await client.execute_workflow(
            DEFINITION, payload, id=workflow_id, task_queue=task_queue, memo=entry.memo()
        )

    return run


def hand_runner(client: Client, ids: list[str], task_queue: str) -> Runner:
    prefix = f"hand-{uuid.uuid4().hex[:6]}"

    async def run(number: int) -> Any:
        data = order(prefix, number)
        workflow_id = f"order-{data['order_id']}"
        ids.append(workflow_id)
        return await client.execute_workflow(
            HandwrittenOrder.run, data, id=workflow_id, task_queue=task_queue
        )

    return run


class WorkerProcess:
    """``bench/order_worker.py`` in its own process; asks it for its CPU seconds."""

    def __init__(self, address: str, task_queue: str) -> None:
        self.task_queue = task_queue
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "order_worker.py"), address, task_queue],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self._in: IO[str] = self.process.stdin  # type: ignore[assignment]
        self._out: IO[str] = self.process.stdout  # type: ignore[assignment]
        if self._out.readline().strip() != "ready":
            raise RuntimeError("the worker process did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """CPU seconds of the whole worker process."""
        return self._ask("cpu")

    def workflow_seconds(self) -> float:
        """CPU seconds its threads spent creating and activating workflow instances."""
        return self._ask("workflow")

    def _ask(self, what: str) -> float:
        self._in.write(f"{what}\n")
        self._in.flush()
        return float(self._out.readline())

    def stop(self) -> None:
        self._in.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def proc_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` from ``/proc`` (10 ms ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine was busy (every core, every process) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / TICK


@dataclass
class Sample:
    """What one round of one variant measured (totals over its runs)."""

    runs: int
    seconds: float
    worker: float
    server: float
    client: float
    others: float
    """CPU seconds the rest of the machine used meanwhile."""
    workflow: float = 0.0
    """CPU seconds of the worker's workflow threads creating and activating instances (workflow code)."""

    @property
    def rate(self) -> float:
        return self.runs / self.seconds

    def per_run(self, what: str) -> float:
        """Milliseconds of CPU per run of ``worker``, ``workflow``, ``server`` or ``client``."""
        return 1000 * float(getattr(self, what)) / self.runs


class Meters:
    """Reads every CPU counter at once: each variant's worker, the dev server, this client, the machine."""

    def __init__(self, workers: dict[str, WorkerProcess], server_pid: int | None) -> None:
        self.workers = workers
        self.server_pid = server_pid

    def read(self) -> dict[str, float]:
        values = {"time": time.perf_counter()}
        for process in {id(w): w for w in self.workers.values()}.values():
            values[f"worker:{process.pid}"] = process.cpu_seconds()
            values[f"workflow:{process.pid}"] = process.workflow_seconds()
        values["server"] = proc_cpu_seconds(self.server_pid) if self.server_pid else 0.0
        values["client"] = time.process_time()
        values["busy"] = machine_busy_seconds()
        return values

    def since(self, before: dict[str, float]) -> dict[str, float]:
        """What every counter moved since ``before``; ``worker:<variant>`` per variant, ``others`` for the
        rest of the machine (never below zero: ``/proc/stat`` counts 10 ms ticks)."""
        after = self.read()
        moved = {key: after[key] - before[key] for key in before}
        ours = sum(value for key, value in moved.items() if key.startswith("worker:"))
        for name, process in self.workers.items():
            moved[f"worker:{name}"] = moved[f"worker:{process.pid}"]
            moved[f"workflow:{name}"] = moved[f"workflow:{process.pid}"]
        moved["others"] = max(0.0, moved["busy"] - ours - moved["server"] - moved["client"])
        return moved


async def batch(run: Runner, count: int, concurrency: int) -> None:
    """Run ``count`` orders with ``concurrency`` in flight."""
    numbers = iter(range(count))

    async def lane() -> None:
        for number in numbers:
            result = await run(number)
            if result["status"] != "completed":
                raise RuntimeError(f"unexpected result {result}")

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def alternate(meters: Meters, runners: dict[str, Runner], args: argparse.Namespace,
                    samples: dict[str, list[Sample]]) -> None:
    """Rounds of ``--runs / --rounds`` runs per variant, one variant at a time, the order alternating."""
    per_round = args.runs // args.rounds
    for index in range(args.rounds):
        for name in VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS)):
            before = meters.read()
            await batch(runners[name], per_round, args.concurrency)
            moved = meters.since(before)
            samples[name].append(Sample(per_round, moved["time"], moved[f"worker:{name}"], moved["server"],
                                        moved["client"], moved["others"], moved[f"workflow:{name}"]))
            show(index, name, samples[name][-1])


async def together(meters: Meters, runners: dict[str, Runner], args: argparse.Namespace,
                   samples: dict[str, list[Sample]]) -> None:
    """Both variants at once without pause; ``--rounds`` consecutive windows of ``--window`` seconds."""
    done = dict.fromkeys(VARIANTS, 0)
    stopping = asyncio.Event()

    async def lane(name: str, numbers: itertools.count[int]) -> None:
        while not stopping.is_set():
            result = await runners[name](next(numbers))
            if result["status"] != "completed":
                raise RuntimeError(f"unexpected result {result}")
            done[name] += 1

    numbers = {name: itertools.count() for name in VARIANTS}
    lanes = [asyncio.ensure_future(lane(name, numbers[name]))
             for _ in range(args.concurrency) for name in VARIANTS]
    try:
        await asyncio.sleep(args.window / 2)  # every lane has runs in flight
        before, counted = meters.read(), dict(done)
        for index in range(args.rounds):
            await asyncio.sleep(args.window)
            moved, now = meters.since(before), dict(done)
            before, runs = meters.read(), {name: now[name] - counted[name] for name in VARIANTS}
            counted = dict(done)
            total = sum(runs.values())
            for name in VARIANTS:  # shared figures split by runs: the same per run for both
                share = runs[name] / total
                samples[name].append(Sample(runs[name], moved["time"], moved[f"worker:{name}"],
                                            moved["server"] * share, moved["client"] * share,
                                            moved["others"] * share, moved[f"workflow:{name}"]))
                show(index, name, samples[name][-1])
    finally:
        stopping.set()
        await asyncio.gather(*lanes)


def show(index: int, name: str, sample: Sample) -> None:
    print(f"round {index + 1:2} {name:>4}: {sample.rate:6.1f} runs/s, CPU per run "
          f"{sample.per_run('worker'):5.2f} ms worker ({sample.per_run('workflow'):4.2f} workflow code), "
          f"{sample.per_run('server'):5.2f} ms server, "
          f"{sample.per_run('client'):5.2f} ms client; rest of the machine "
          f"{sample.others / sample.seconds:.2f} cores", flush=True)


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


async def profile(workers: dict[str, WorkerProcess], runners: dict[str, Runner],
                  args: argparse.Namespace) -> None:
    """Record the worker with py-spy (collapsed stacks) during ``--runs`` runs of each variant in turn:
    ``FILE`` gets ``-dsl`` and ``-hand`` before its suffix."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    for name in VARIANTS:
        out = Path(args.profile)
        out = out.with_name(f"{out.stem}-{name}{out.suffix}")
        recorder = subprocess.Popen(
            [py_spy, "record", "--pid", str(workers[name].pid), "--format", "raw", "--rate", "250",
             "--output", str(out), "--nonblocking", "--gil"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1)  # attached (py-spy reads the process from outside)
        await batch(runners[name], args.runs, args.concurrency)
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
        print(f"py-spy profile of the worker during {args.runs} {name} runs: {out}")


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    catalog = Catalog.load(ROOT / "definitions")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as state:
        db_file = str(Path(state) / "bench.db") if args.sqlite else None
        with DevServer(db_file=db_file) as server:
            client = await connect(server.address)
            if args.mode == "together":
                workers = {name: WorkerProcess(server.address, f"{TASK_QUEUE}-{name}") for name in VARIANTS}
            else:
                shared = WorkerProcess(server.address, TASK_QUEUE)
                workers = dict.fromkeys(VARIANTS, shared)
            try:
                ids: dict[str, list[str]] = {name: [] for name in VARIANTS}
                runners = {
                    "dsl": dsl_runner(client, catalog, ids["dsl"], workers["dsl"].task_queue),
                    "hand": hand_runner(client, ids["hand"], workers["hand"].task_queue),
                }
                for name in VARIANTS:  # warm-up: imports, caches, connections
                    await batch(runners[name], args.warmup, min(args.concurrency, args.warmup))
                    ids[name].clear()
                if args.profile:
                    await profile(workers, runners, args)
                    return {}
                meters = Meters(workers, server.process.pid if server.process else None)
                samples: dict[str, list[Sample]] = {name: [] for name in VARIANTS}
                measure = together if args.mode == "together" else alternate
                await measure(meters, runners, args, samples)
                events = {name: await events_per_run(client, ids[name], args.sample) for name in ids}
            finally:
                for process in {id(w): w for w in workers.values()}.values():
                    process.stop()
    return {"samples": samples, "events": events, "load": (load_before, os.getloadavg())}


def report(results: dict[str, Any], args: argparse.Namespace) -> bool:
    samples: dict[str, list[Sample]] = results["samples"]
    events = results["events"]

    def median(name: str, value: Callable[[Sample], float]) -> float:
        return statistics.median(value(s) for s in samples[name])

    def spread(name: str, value: Callable[[Sample], float]) -> str:
        values = [value(s) for s in samples[name]]
        return f"{median(name, value):.2f} ({min(values):.2f}-{max(values):.2f})"

    server = "SQLite (WAL)" if args.sqlite else "in-memory"
    print()
    runs = {name: sum(s.runs for s in samples[name]) for name in VARIANTS}
    if args.mode == "together":
        how = (f"both variants at once, {args.concurrency} in flight each, {args.rounds} windows of "
               f"{args.window:g} s, a worker process per variant")
    else:
        how = (f"{args.rounds} alternating rounds, {args.concurrency} in flight, one worker process")
    print(f"{runs['dsl']} DSL and {runs['hand']} hand-written runs measured; {how}; {server} dev server; "
          "median (min-max) over rounds")
    heads = ("runs/s", "worker ms/run", "workflow code ms/run", "server ms/run", "client ms/run")
    print(f"{'':<6} " + " ".join(f"{head:>20}" for head in heads) + "  events")
    for name in VARIANTS:
        columns = [spread(name, lambda s: s.rate)]
        columns += [spread(name, functools.partial(Sample.per_run, what=what))
                    for what in ("worker", "workflow", "server", "client")]
        print(f"{name:<6} " + " ".join(f"{c:>20}" for c in columns) + f"  {sorted(set(events[name]))}")
    rate = median("dsl", lambda s: s.rate) / median("hand", lambda s: s.rate)
    cpu = median("dsl", lambda s: s.per_run("worker")) / median("hand", lambda s: s.per_run("worker"))
    paired = sorted(d.per_run("worker") / h.per_run("worker")
                    for d, h in zip(samples["dsl"], samples["hand"], strict=True))
    others = [s.others / s.seconds for name in VARIANTS for s in samples[name]]
    (before, after) = results["load"]
    print(f"rest of the machine: {statistics.median(others):.2f} cores (median; {min(others):.2f}-"
          f"{max(others):.2f}); load average {before[0]:.2f} before, {after[0]:.2f} after")
    same_events = set(events["dsl"]) == set(events["hand"]) and len(set(events["dsl"])) == 1
    print(f"throughput DSL/hand: {rate:.3f} (goal >= 1.0 within noise)")
    print(f"worker CPU per run DSL/hand: {cpu:.3f} (goal <= 1.05); per round "
          f"{paired[0]:.3f}-{paired[-1]:.3f}, median {statistics.median(paired):.3f}")
    code = {name: median(name, functools.partial(Sample.per_run, what="workflow")) for name in VARIANTS}
    print(f"workflow code per run: DSL {code['dsl']:.2f} ms, hand {code['hand']:.2f} ms, "
          f"difference {code['dsl'] - code['hand']:.2f} ms")
    print(f"same events per run: {same_events}")
    return same_events


def main() -> int:
    parser = argparse.ArgumentParser(description="order_processing: DSL against a hand-written workflow")
    parser.add_argument("--mode", choices=("together", "alternate"), default="together",
                        help="both variants at once in windows (default), or alternating rounds")
    parser.add_argument("--rounds", type=int, default=12, help="windows or rounds (default 12)")
    parser.add_argument("--window", type=float, default=8.0, help="seconds per window (together; default 8)")
    parser.add_argument("--runs", type=int, default=1000,
                        help="runs per variant (alternate, profile; default 1000)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="runs in flight per variant (default 25 together, 50 alternate)")
    parser.add_argument("--warmup", type=int, default=40, help="uncounted runs per variant first")
    parser.add_argument("--sample", type=int, default=20, help="runs per variant whose events are counted")
    parser.add_argument("--sqlite", action="store_true", help="SQLite file in WAL mode instead of in-memory")
    parser.add_argument("--profile", metavar="FILE",
                        help="only profile the worker (py-spy) during --runs runs of each variant")
    args = parser.parse_args()
    if args.concurrency is None:
        args.concurrency = 25 if args.mode == "together" else 50
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(bench(args))
    return 0 if args.profile or report(results, args) else 1


if __name__ == "__main__":
    code = main()
    # Leave at once: a normal exit after using a Temporal client can abort in native code.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
