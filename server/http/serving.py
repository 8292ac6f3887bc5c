"""Run the HTTP service inside an asyncio program (``tdsl serve``, ``tdsl dev``, benchmarks, tests).

The socket is bound before uvicorn starts, so a busy port is a clear error (uvicorn would exit the process)
and port 0 picks a free one. Signals stay with the caller: one shutdown path stops the HTTP service first,
then the engine, then (for ``tdsl dev``) the Temporal server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn

from tdsl.errors import SetupError

from ..engine import TemporalEngine
from .app import create_app

__all__ = ["HTTPService", "HTTPServiceError"]


class HTTPServiceError(SetupError, RuntimeError):
    """The HTTP service could not start (for example the port is taken)."""


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The command owns SIGINT/SIGTERM and stops the service through should_exit.
        yield


class HTTPService:
    """The app of :func:`create_app` served by uvicorn on ``host:port``."""

    def __init__(
        self,
        engine: TemporalEngine,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        log_level: str = "warning",
        access_log: bool = False,
    ) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.app = create_app(engine, bind_host=host)
        self._config = uvicorn.Config(
            self.app, host=host, port=port, log_level=log_level, access_log=access_log, lifespan="on"
        )
        self._server = _Server(self._config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self, timeout: float = 10.0) -> str:
        """Bind, start serving and return the base URL once the service accepts requests."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as err:
            sock.close()
            raise HTTPServiceError(f"cannot listen on {self.host}:{self.port}: {err.strerror}") from None
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="temporal-dsl-http")
        deadline = asyncio.get_running_loop().time() + timeout
        # uvicorn offers no startup event; poll its flag, bounded.
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise HTTPServiceError("the HTTP service stopped during startup")
            if asyncio.get_running_loop().time() > deadline:
                raise HTTPServiceError(f"the HTTP service did not start within {timeout}s")
            await asyncio.sleep(0.02)
        return self.url

    async def stop(self) -> None:
        """Finish in-flight requests and stop."""
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await self._task
        self._task = None

    async def wait(self) -> None:
        """Until the service stops (cancelling the wait does not stop the service)."""
        if self._task is not None:
            await asyncio.shield(self._task)
