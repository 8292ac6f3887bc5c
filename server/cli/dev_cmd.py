"""``tdsl dev``: the embedded Temporal dev server (durable SQLite state, Web UI), a worker, and the HTTP
service, in one process tree that Ctrl-C stops cleanly."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..devserver import DevServer
from ..engine import TemporalEngine
from .common import EXIT_OK, add_connection_options, run_async, settings_from
from .worker_cmd import run_until_signalled


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("dev", help="start a local Temporal dev server, a worker and the HTTP API")
    parser.add_argument("--port", type=int, help="Temporal frontend port (default 7233)")
    parser.add_argument("--ui-port", type=int, help="Web UI port (default 8233)")
    parser.add_argument("--state-dir", help="folder for the SQLite state (default .state)")
    parser.add_argument("--example", metavar="NAME", help="after start, run this definition once and print its result")
    parser.add_argument("--example-input", metavar="JSON", help="input of the example run (JSON or @file.json)")
    parser.add_argument("--exit-after-example", action="store_true", help="stop after the example run")
    add_connection_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    async def main() -> int:
        settings = settings_from(args)
        dev = settings.dev
        port = args.port or dev.port
        ui_port = args.ui_port or dev.ui_port
        state_dir = Path(args.state_dir or dev.state_dir)
        server = DevServer(port=port, ui_port=ui_port, db_file=str(state_dir / "temporal.db"),
                           log_file=str(state_dir / "temporal.log"))
        state_dir.mkdir(parents=True, exist_ok=True)
        server.start()
        try:
            settings.temporal.url = server.address
            engine = TemporalEngine(settings=settings)
            await engine.start()
            print(f"Temporal server  {server.address} (state: {server.db_file})")
            print(f"Web UI           {server.ui_url}")
            print(f"Worker           task queue {settings.temporal.task_queue!r}, "
                  f"{len(engine.activities)} activities")
            print(f"Definitions      {', '.join(engine.catalog.names()) or '(none)'}")
            for file in engine.catalog.invalid:
                print(f"  invalid: {file} (run 'tdsl lint {file}')")
            print("Press Ctrl-C to stop.", flush=True)
            if args.example:
                await run_example(engine, args.example, args.example_input)
                if args.exit_after_example:
                    await engine.stop()
                    return EXIT_OK
            await run_until_signalled(engine)
        finally:
            server.stop()
        return EXIT_OK

    return run_async(main)


async def run_example(engine: TemporalEngine, name: str, input_text: str | None) -> None:
    from .common import read_json_argument

    value = read_json_argument(input_text)
    runs = engine.require_runs()
    started = await runs.start(name, value)
    print(f"Example run      {name} (workflow id {started.workflow_id})", flush=True)
    result = await runs.result(started.workflow_id, timeout=60)
    print(json.dumps(result, indent=2), flush=True)
