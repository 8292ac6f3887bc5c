"""Fan-out cost per item: a ``foreach`` over 10,000 and 100,000 trivial items, concurrency 100.

    .venv/bin/python bench/fanout_bench.py [--sizes 10000,100000] [--concurrency 100]

For each size: a fresh Temporal dev server (in memory), one ``tdsl worker`` process (the generic workflow and
a no-op activity, ``bench/fanout_activities.py``), one run of ``fanout`` with ``collect: summary``. Reported
per size: items per second (run start to result), history events per item (the parent's and every batch
child's), worker and server CPU milliseconds per item (``/proc``), and the worker's peak RSS. Goal: the
100,000-item rate within 10% of the 10,000-item rate (the cost per item does not grow with the list).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from temporalio.client import Client  # noqa: E402

from tdsl.server.devserver import DevServer  # noqa: E402

DEFINITION = """\
name: fanout
steps:
  - id: items
    foreach:
      items: "{{ range(input.count) | list }}"
      concurrency: CONCURRENCY
      collect: summary
      steps:
        - activity: noop
          args: ["{{ item }}"]
output: {succeeded: "{{ steps.items.succeeded }}"}
"""

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its waited-for children, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Figures:
    items: int
    seconds: float
    events: int
    worker_cpu: float
    server_cpu: float
    worker_rss_mb: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds


async def history_events(client: Client, workflow_id: str) -> int:
    """Events of the run and of all its batch children."""
    total = 0
    ids = [workflow_id]
    while ids:
        current = ids.pop()
        async for event in client.get_workflow_handle(current).fetch_history_events():
            total += 1
            if event.HasField("child_workflow_execution_started_event_attributes"):
                ids.append(event.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id)
    return total


async def measure(items: int, concurrency: int, folder: Path) -> Figures:
    server = DevServer().start()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "tdsl"), "worker", "--address", server.address, "--task-queue",
         "fanout", "--definitions", str(folder), "--activity-module", "fanout_activities"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    try:
        assert worker.stdout is not None
        banner = worker.stdout.readline().decode()
        assert "task_queue=fanout" in banner, banner
        client = await Client.connect(server.address)
        from fanout_activities import REGISTRY

        from tdsl.dsl_schema.catalog import Catalog
        from tdsl.server.runs import RunService

        runs = RunService(client, Catalog.load(folder, REGISTRY), REGISTRY, "fanout")
        assert server.process is not None
        worker_before, server_before = cpu_seconds(worker.pid), cpu_seconds(server.process.pid)
        began = time.perf_counter()
        started = await runs.start("fanout", {"count": items})
        result = await client.get_workflow_handle(started.workflow_id).result()
        seconds = time.perf_counter() - began
        worker_cpu = cpu_seconds(worker.pid) - worker_before
        server_cpu = cpu_seconds(server.process.pid) - server_before
        assert result == {"succeeded": items}, result
        events = await history_events(client, started.workflow_id)
        return Figures(items, seconds, events, worker_cpu, server_cpu, peak_rss_mb(worker.pid))
    finally:
        worker.terminate()
        worker.wait(30)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "fanout.yaml").write_text(DEFINITION.replace("CONCURRENCY", str(args.concurrency)))
        results = [asyncio.run(measure(size, args.concurrency, folder)) for size in sizes]
    print("| items | seconds | items/s | events/item | worker CPU ms/item | server CPU ms/item | "
          "worker peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.items:,} | {r.seconds:.1f} | {r.rate:.0f} | {r.events / r.items:.2f} | "
              f"{1000 * r.worker_cpu / r.items:.2f} | {1000 * r.server_cpu / r.items:.2f} | "
              f"{r.worker_rss_mb:.0f} |")
    if len(results) > 1:
        print(f"\nrate ratio {results[-1].items:,} / {results[0].items:,} items: "
              f"{results[-1].rate / results[0].rate:.2f}")


if __name__ == "__main__":
    main()
