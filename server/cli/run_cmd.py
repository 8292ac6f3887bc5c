"""``tdsl run NAME --input JSON|@file.json [--id ID] [--no-wait] [--timeout S] [--quiet]``.

While it waits, the run's progress is shown on stderr when that is a terminal (or with ``--progress``): the
steps running, waits, retries, and why it is stuck. The result goes to stdout. Exit status as ``tdsl
result``: 0 completed, 1 failed (or could not start), 2 usage, 3 still running after ``--timeout``.
"""

from __future__ import annotations

import argparse
import sys

from ..engine import TemporalEngine
from ..errors import InvalidInput, UnknownDefinition
from ..gateway.inspecting import did_not_complete
from ..run_types import RunStatus
from .common import (
    EXIT_OK,
    UsageError,
    definitions_note,
    print_json,
    read_json_argument,
    run_async,
    settings_from,
)
from .ops_cmd import EXIT_RUNNING
from .progress_view import wait_showing_progress

# Waiting longer is asked for with --timeout (0: wait as long as it takes).
DEFAULT_TIMEOUT = 300.0


def run(args: argparse.Namespace) -> int:
    async def main() -> int:
        value = read_json_argument(args.input)
        settings = settings_from(args)
        settings.temporal.worker.enabled = False
        engine = TemporalEngine(settings=settings)
        await engine.start()
        runs = engine.require_runs()
        try:
            started = await runs.start(
                args.name, value, workflow_id=args.workflow_id, start_delay=args.delay
            )
        except InvalidInput as err:
            if args.input is None:
                raise UsageError(
                    f"{args.name!r} needs an input: pass --input JSON (or @file.json, or - for stdin)"
                ) from None
            raise err
        except UnknownDefinition as err:
            if not engine.catalog.names():  # say where definitions were looked for
                err.message += f"; {definitions_note(settings.definitions, [])}"
            raise err
        if args.no_wait:
            print_json(
                {"workflow_id": started.workflow_id, "run_id": started.run_id, "existing": started.existing}
            )
            return EXIT_OK
        timeout = args.timeout if args.timeout is not None else DEFAULT_TIMEOUT
        show = args.progress or (not args.quiet and sys.stderr.isatty())
        outcome = await wait_showing_progress(
            runs, started.workflow_id, timeout or None, sys.stderr if show else None
        )
        if outcome.status is RunStatus.RUNNING:
            print(
                f"tdsl: run {started.workflow_id!r} is still running after {timeout:g}s (see it with: tdsl "
                f"status {started.workflow_id}; wait with: tdsl result {started.workflow_id} --wait SECONDS)",
                file=sys.stderr,
            )
            return EXIT_RUNNING
        if outcome.status is RunStatus.COMPLETED:
            print_json(outcome.result)
            return EXIT_OK
        raise did_not_complete(outcome)

    return run_async(main)
