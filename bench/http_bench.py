"""Runs started per second through the HTTP endpoint against direct ``client.start_workflow``.

    /work/venv/bin/python bench/http_bench.py [--runs 600] [--concurrency 32] [--rounds 3]

One Temporal dev server (in memory), started here. Two ways of starting ``order_processing`` runs on it, in
alternating rounds so both see the same server state:

* ``http``: ``POST /definitions/order_processing/runs`` to ``tdsl serve --no-worker`` (a separate process,
  real uvicorn, real HTTP over keep-alive connections): JSON parsing, input schema validation, the id
  template, the activity check and the start RPC;
* ``direct``: ``client.start_workflow`` from this process with exactly the start request the service
  sends (same payload, memo, id and policies), i.e. the cost of the start RPC alone.

No worker polls the task queue, so only starts are measured. ``--concurrency`` requests are in flight at a
time on each path. Each round starts ``--runs`` runs per path; the figure of a path is its median round.
The goal: http / direct >= 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from orders import order  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy  # noqa: E402

from tdsl.dsl_schema.catalog import Catalog  # noqa: E402
from tdsl.interpreter import RunPayload  # noqa: E402
from tdsl.server.devserver import DevServer  # noqa: E402

DEFINITION = "order_processing"
BIN = Path(sys.executable).parent



async def bounded(count: int, concurrency: int, start_one: Any) -> float:
    """Start ``count`` runs with ``concurrency`` in flight; returns runs per second."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)

    async def lane() -> None:
        while not queue.empty():
            await start_one(queue.get_nowait())

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return count / (time.perf_counter() - began)


class Connection:
    """A minimal HTTP/1.1 keep-alive client for JSON POSTs. The load generator must cost little next to
    what it measures (httpx spends about 2 ms of CPU per request, more than the service does); this one
    writes a request and reads the status line, headers and ``Content-Length`` body."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, parts.netloc)

    async def post(self, path: str, value: Any) -> tuple[int, bytes]:
        body = json.dumps(value).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(
            int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")
        )
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def http_round(url: str, count: int, concurrency: int) -> float:
    """One round over fresh keep-alive connections (the server closes idle ones between rounds)."""
    prefix = f"h{uuid.uuid4().hex[:8]}"
    connections = [await Connection.open(url) for _ in range(concurrency)]
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)

    async def start_one(number: int) -> None:
        connection = await free.get()
        try:
            status, body = await connection.post(
                f"/definitions/{DEFINITION}/runs", {"input": order(prefix, number)}
            )
        finally:
            free.put_nowait(connection)
        if status != 201:
            raise RuntimeError(f"unexpected answer {status}: {body.decode()}")

    try:
        return await bounded(count, concurrency, start_one)
    finally:
        for connection in connections:
            connection.close()


async def direct_round(client: Client, catalog: Catalog, queue: str, count: int, concurrency: int) -> float:
    entry = catalog.entries[DEFINITION]
    children = catalog.children_of(DEFINITION)
    prefix = f"d{uuid.uuid4().hex[:8]}"

    async def start_one(number: int) -> None:
        data = order(prefix, number)
        await client.start_workflow(
            DEFINITION,
            RunPayload(definition=entry.data, input=data, children=children).to_data(),
            id=f"order-{data['order_id']}",
            task_queue=queue,
            memo=entry.memo(),
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )

    return await bounded(count, concurrency, start_one)


async def connect(address: str, timeout: float = 20.0) -> Client:
    """A client, once the fresh server's frontend reports healthy (its port opens a little earlier)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await Client.connect(address)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def launch_service(address: str, queue: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(  # our own command line
        [
            str(BIN / "tdsl"),
            "serve",
            "--no-worker",
            "--port",
            "0",
            "--log-level",
            "warning",
            "--address",
            address,
            "--task-queue",
            queue,
            "--definitions",
            str(ROOT / "definitions"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"HTTP API\s+(http://\S+)", line)
        if found:
            return process, found.group(1)
    raise RuntimeError("tdsl serve exited before serving")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    queue = f"bench-http-{uuid.uuid4().hex[:8]}"
    catalog = Catalog.load(ROOT / "definitions")
    with DevServer() as server:
        client = await connect(server.address)
        service, url = launch_service(server.address, queue)
        try:
            # Warm both paths (caches, connection pools) before measuring.
            await http_round(url, args.concurrency * 2, args.concurrency)
            await direct_round(client, catalog, queue, args.concurrency * 2, args.concurrency)
            rates: dict[str, list[float]] = {"http": [], "direct": []}
            for number in range(args.rounds):
                first, second = ("http", "direct") if number % 2 == 0 else ("direct", "http")
                for path in (first, second):
                    if path == "http":
                        rate = await http_round(url, args.runs, args.concurrency)
                    else:
                        rate = await direct_round(client, catalog, queue, args.runs, args.concurrency)
                    rates[path].append(rate)
        finally:
            service.terminate()
            service.wait(30)
    http_rate = statistics.median(rates["http"])
    direct_rate = statistics.median(rates["direct"])
    return {
        "runs_per_round": args.runs,
        "rounds": args.rounds,
        "concurrency": args.concurrency,
        "http_runs_per_s": round(http_rate, 1),
        "direct_runs_per_s": round(direct_rate, 1),
        "ratio": round(http_rate / direct_rate, 3),
        "http_rounds": [round(r, 1) for r in rates["http"]],
        "direct_rounds": [round(r, 1) for r in rates["direct"]],
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=600, help="runs started per path and round")
    parser.add_argument("--concurrency", type=int, default=32, help="starts in flight at a time")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    figures = asyncio.run(main(options))
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{'path':<8} {'runs/s':>8}   rounds")
        print(f"{'http':<8} {figures['http_runs_per_s']:>8}   {figures['http_rounds']}")
        print(f"{'direct':<8} {figures['direct_runs_per_s']:>8}   {figures['direct_rounds']}")
        print(
            f"ratio http/direct = {figures['ratio']} (goal >= 0.8); {figures['runs_per_round']} runs per "
            f"round, concurrency {figures['concurrency']}, {figures['cpus']} CPUs"
        )
    sys.stdout.flush()
    os._exit(0)  # see docs: exiting normally after using a Temporal client can abort in native code
