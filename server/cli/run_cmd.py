"""``tdsl run NAME --input JSON|@file.json [--id ID] [--no-wait]``."""

from __future__ import annotations

import argparse

from ..engine import TemporalEngine
from .common import EXIT_OK, print_json, read_json_argument, run_async, settings_from


def run(args: argparse.Namespace) -> int:
    async def main() -> int:
        value = read_json_argument(args.input)
        settings = settings_from(args)
        settings.temporal.worker.enabled = False
        engine = TemporalEngine(settings=settings)
        await engine.start()
        runs = engine.require_runs()
        started = await runs.start(args.name, value, workflow_id=args.workflow_id, start_delay=args.delay)
        if args.no_wait:
            print_json(
                {"workflow_id": started.workflow_id, "run_id": started.run_id, "existing": started.existing}
            )
            return EXIT_OK
        print_json(await runs.result(started.workflow_id, timeout=args.timeout))
        return EXIT_OK

    return run_async(main)
