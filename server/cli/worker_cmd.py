"""``tdsl worker``: run a worker against the configured Temporal server until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import signal

from ..engine import TemporalEngine
from .common import EXIT_OK, EXIT_USAGE, error, run_async, settings_from


async def run_until_signalled(engine: TemporalEngine) -> None:
    """Run the engine's worker until SIGINT/SIGTERM, then shut it down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker_done = asyncio.ensure_future(engine.wait_worker())
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait([worker_done, stopped], return_when=asyncio.FIRST_COMPLETED)
    await engine.stop()
    stopped.cancel()


def run(args: argparse.Namespace) -> int:
    async def main() -> int:
        settings = settings_from(args)
        if not settings.temporal.enabled or not settings.temporal.worker.enabled:
            key = "temporal.enabled" if not settings.temporal.enabled else "temporal.worker.enabled"
            error(f"nothing to run: the configuration disables the worker ({key}: false); enable it "
                  f"or use `tdsl serve` for the HTTP API alone")
            return EXIT_USAGE
        engine = TemporalEngine(settings=settings)
        await engine.start()
        t = settings.temporal
        print(f"worker on {t.url} namespace={t.namespace} task_queue={t.task_queue}; "
              f"definitions: {', '.join(engine.catalog.names()) or '(none)'}; "
              f"activities: {len(engine.activities)}", flush=True)
        await run_until_signalled(engine)
        return EXIT_OK

    return run_async(main)
