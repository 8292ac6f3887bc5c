"""Wall time of ``tdsl --help`` and ``tdsl status ID`` against a bare client script (the floor).

    .venv/bin/python bench/cli_bench.py [--rounds 15]

One Temporal dev server (in memory) and, in this process, an engine whose worker runs ``approval`` from
``definitions/``. One run is started and left waiting for its decision; then each round runs, as fresh
processes from an empty folder (no ``config.yaml``), in an order that rotates every round:

* ``help``: ``tdsl --help``;
* ``status``: ``tdsl status ID --address ADDR`` (settings, connect, describe, memo, the built-in progress
  query, printed for people);
* ``floor``: ``python -c`` importing ``temporalio.client``, connecting and describing the same run;
* ``floor+query``: the floor plus the progress query ``tdsl status`` also makes (shows what the query costs).

``--tdsl-source DIR`` runs ``tdsl`` from another source tree instead (``python -c`` calling its
``tdsl.server.cli.main`` with ``PYTHONPATH=DIR``), to compare with an earlier commit exported there
(``git archive COMMIT | tar -x -C DIR``).

Every process ends with ``os._exit`` as ``tdsl`` does (docs/TEMPORAL_NOTES.md, "Process exit"). The figure of
a command is its median over the rounds (min and max beside it). Goals: ``help`` <= 0.2 s and
``status`` / ``floor`` <= 1.3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tdsl.server.config import Settings  # noqa: E402
from tdsl.server.devserver import DevServer  # noqa: E402
from tdsl.server.engine import TemporalEngine  # noqa: E402

BIN = Path(sys.executable).parent
FLOOR = """
import asyncio, os, sys
from temporalio.client import Client

async def main() -> None:
    client = await Client.connect(sys.argv[1])
    handle = client.get_workflow_handle(sys.argv[2])
    description = await handle.describe()
    if sys.argv[3] == "query":
        await handle.query("__progress")
    print(description.status.name)

asyncio.run(main())
sys.stdout.flush()
os._exit(0)
"""


LAUNCH = "import sys; from tdsl.server.cli import main; main(sys.argv[1:])"
SOURCE: str | None = None  # --tdsl-source


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TDSL_", "TEMPORAL_"))}
    if SOURCE is not None:
        env["PYTHONPATH"] = SOURCE
    return env


def tdsl(*argv: str) -> list[str]:
    if SOURCE is not None:
        return [sys.executable, "-c", LAUNCH, *argv]
    return [str(BIN / "tdsl"), *argv]


async def timed(argv: list[str], cwd: str) -> float:
    """Seconds from spawning ``argv`` until it exited (it must succeed)."""
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=environment(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    elapsed = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{argv} failed ({process.returncode}): {err.decode()}{out.decode()}")
    return elapsed


async def waiting(engine: TemporalEngine, workflow_id: str) -> None:
    runs = engine.require_runs()
    while not ((await runs.progress(workflow_id)) or {}).get("pending_waits"):
        await asyncio.sleep(0.05)


async def bench(rounds: int) -> dict[str, list[float]]:
    server = DevServer().start()
    try:
        settings = Settings.model_validate(
            {
                "temporal": {"url": server.address, "task_queue": f"cli-bench-{uuid.uuid4().hex[:8]}"},
                "definitions": str(ROOT / "definitions"),
            }
        )
        engine = TemporalEngine(settings=settings)
        await engine.start()
        try:
            started = await engine.require_runs().start(
                "approval", {"request": {"id": f"bench-{uuid.uuid4().hex[:8]}"}}
            )
            await waiting(engine, started.workflow_id)
            commands = {
                "help": tdsl("--help"),
                "status": tdsl("status", started.workflow_id, "--address", server.address),
                "floor": [sys.executable, "-c", FLOOR, server.address, started.workflow_id, "describe"],
                "floor+query": [sys.executable, "-c", FLOOR, server.address, started.workflow_id, "query"],
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            names = list(commands)
            with tempfile.TemporaryDirectory() as empty:
                for name in names:  # warm the file system cache once
                    await timed(commands[name], empty)
                for index in range(rounds):
                    order = names[index % len(names):] + names[: index % len(names)]
                    for name in order:
                        times[name].append(await timed(commands[name], empty))
            await engine.require_runs().terminate(started.workflow_id)
        finally:
            await engine.stop()
    finally:
        server.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--tdsl-source", help="run tdsl from this source tree")
    options = parser.parse_args()
    global SOURCE
    SOURCE = options.tdsl_source
    times = asyncio.run(bench(options.rounds))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    print("| command | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {median[name]:.3f} | {min(values):.3f} | {max(values):.3f} |")
    print(f"\nstatus / floor = {median['status'] / median['floor']:.2f} (goal <= 1.3)")
    print(f"status / floor+query = {median['status'] / median['floor+query']:.2f}")
    print(f"help = {median['help']:.3f} s (goal <= 0.2 s)")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
