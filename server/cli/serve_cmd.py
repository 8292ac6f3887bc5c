"""``tdsl serve``: the HTTP API (and a worker, unless ``--no-worker``) against the configured server."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import TYPE_CHECKING

from ..engine import TemporalEngine
from .common import EXIT_FAILED, EXIT_OK, error, run_async, settings_from

if TYPE_CHECKING:
    from ..http.serving import HTTPService


async def wait_for_stop_signal() -> None:
    """Until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def serve_until_stopped(service: HTTPService, engine: TemporalEngine) -> None:
    """Serve until a signal, the HTTP service or the worker ends; then stop HTTP first, then the engine."""
    waiters = [asyncio.ensure_future(wait_for_stop_signal()), asyncio.ensure_future(service.wait())]
    if engine.settings.temporal.worker.enabled:
        waiters.append(asyncio.ensure_future(engine.wait_worker()))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await service.stop()
        await engine.stop()


def run(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not pay for importing the web stack.
    from ..http.serving import HTTPService, HTTPServiceError

    async def main() -> int:
        settings = settings_from(args, http={"host": args.host, "port": args.port})
        if args.no_worker:
            settings.temporal.worker.enabled = False
        engine = TemporalEngine(settings=settings)
        await engine.start()
        service = HTTPService(
            engine,
            settings.http.host,
            settings.http.port,
            log_level=args.log_level,
            access_log=args.log_level in ("info", "debug"),
        )
        try:
            url = await service.start()
        except HTTPServiceError as err:
            await engine.stop()
            error(str(err))
            return EXIT_FAILED
        t = settings.temporal
        worker = f"worker on task queue {t.task_queue!r}" if t.worker.enabled else "no worker"
        print(f"HTTP API  {url}  (docs: {url}/docs, run inspector: {url}/ui)", flush=True)
        print(
            f"Temporal  {t.url} namespace {t.namespace!r}, {worker}; "
            f"definitions: {', '.join(engine.catalog.names()) or '(none)'}",
            flush=True,
        )
        if settings.http.tokens:
            print("Auth      bearer token required (except /health)", flush=True)
        if settings.http.host.strip("[]") in ("0.0.0.0", "::") and not settings.http.allowed_hosts:
            # Requests naming this machine's other names would be refused (400): say so at once.
            print(
                "Hosts     only localhost names are served; list others in http.allowed_hosts "
                "(docs/SECURITY.md)",
                flush=True,
            )
        await serve_until_stopped(service, engine)
        return EXIT_OK

    return run_async(main)
