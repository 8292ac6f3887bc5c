"""``tdsl serve`` and ``tdsl dev`` serve the HTTP API over real HTTP and stop cleanly on a signal."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import httpx

from tdsl.server.devserver import free_port, port_open
from tests.server.cli import ROOT, TDSL, environment
from tests.server.helpers import DEFINITIONS, unique

URL = re.compile(r"HTTP API\s+(http://127\.0\.0\.1:\d+)")


async def launch(*args: str) -> tuple[asyncio.subprocess.Process, str, list[str]]:
    """Start ``tdsl ARGS`` and read its output until it prints the HTTP API's URL."""
    process = await asyncio.create_subprocess_exec(
        TDSL,
        *args,
        cwd=ROOT,
        env=environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line, f"tdsl exited before serving: {''.join(lines)}"
        lines.append(line)
        found = URL.search(line)
        if found:
            return process, found.group(1), lines


async def stop(process: asyncio.subprocess.Process, sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    assert process.stdout is not None
    rest = await asyncio.wait_for(process.stdout.read(), 60)
    return await asyncio.wait_for(process.wait(), 60), rest.decode()


async def test_serve_runs_the_api_and_a_worker(temporal_address: str) -> None:
    queue = unique("serve")
    process, url, lines = await launch(
        "serve",
        "--port",
        "0",
        "--address",
        temporal_address,
        "--task-queue",
        queue,
        "--definitions",
        str(DEFINITIONS),
        "--log-level",
        "warning",
    )
    try:
        assert lines[-1].strip() == f"HTTP API  {url}  (docs: {url}/docs, run inspector: {url}/ui)"
        async with httpx.AsyncClient(base_url=url) as http:
            assert (await http.get("/health")).json()["status"] == "healthy"
            key = unique("k")
            started = await http.post(
                "/definitions/greeting/runs",
                json={"input": {"key": key, "email": "ada@example.com"}, "wait": True, "timeout": 30},
            )
            assert started.status_code == 201
            assert started.json()["result"] == {"key": key, "delivered": True}
            assert (await http.get("/docs")).status_code == 200
            assert "<title>" in (await http.get("/ui")).text  # the run inspector (tests/ui/)
    finally:
        code, rest = await stop(process, signal.SIGTERM)
    assert code == 0, rest
    assert "Traceback" not in rest


async def test_dev_serves_the_api_beside_its_own_server(tmp_path: Path) -> None:
    port = free_port()
    process, url, lines = await launch(
        "dev",
        "--port",
        str(port),
        "--ui-port",
        str(ui_port := free_port()),
        "--http-port",
        "0",
        "--state-dir",
        str(tmp_path / "state"),
        "--definitions",
        str(DEFINITIONS),
        "--task-queue",
        unique("dev"),
    )
    try:
        assert any(line.startswith(f"Temporal server  127.0.0.1:{port} ") for line in lines)
        async with httpx.AsyncClient(base_url=url) as http:
            key = unique("k")
            started = await http.post(
                "/definitions/greeting/runs",
                json={"input": {"key": key, "email": "ada@example.com"}, "wait": True, "timeout": 30},
            )
            assert started.json()["status"] == "COMPLETED"
            # The run inspector links runs to this dev server's own Web UI.
            config = (await http.get("/inspector/config")).json()
            assert config["temporal_ui"] == f"http://127.0.0.1:{ui_port}"
    finally:
        code, rest = await stop(process, signal.SIGINT)
    assert code == 0, rest
    assert "Traceback" not in rest
    assert not port_open("127.0.0.1", port)  # the Temporal dev server is gone too
