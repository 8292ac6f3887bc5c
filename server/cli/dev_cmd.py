"""``tdsl dev``: the embedded Temporal dev server (durable SQLite state, Web UI), a worker, and the HTTP
service, in one process tree that Ctrl-C stops cleanly (HTTP first, then the worker, then the server)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..devserver import DevServer
from ..engine import TemporalEngine
from .common import EXIT_FAILED, EXIT_OK, definitions_note, error, run_async, settings_from


def run(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not pay for importing the web stack.
    from ..http.serving import HTTPService, HTTPServiceError
    from .serve_cmd import serve_until_stopped

    async def main() -> int:
        settings = settings_from(args, http={"host": args.http_host, "port": args.http_port})
        dev = settings.dev
        port = args.port or dev.port
        ui_port = args.ui_port or dev.ui_port
        state_dir = Path(args.state_dir or dev.state_dir)
        server = DevServer(
            port=port,
            ui_port=ui_port,
            db_file=str(state_dir / "temporal.db"),
            log_file=str(state_dir / "temporal.log"),
        )
        state_dir.mkdir(parents=True, exist_ok=True)
        server.start()
        try:
            settings.temporal.url = server.address
            settings.http.temporal_ui_url = settings.http.temporal_ui_url or server.ui_url
            settings.temporal.connect_timeout_seconds = max(settings.temporal.connect_timeout_seconds, 30.0)
            engine = TemporalEngine(settings=settings)
            await engine.start()
            service = None
            if dev.http and not args.no_http:
                service = HTTPService(engine, settings.http.host, settings.http.port)
                try:
                    http_url = await service.start()
                except HTTPServiceError as err:
                    if args.http_port is not None:
                        await engine.stop()
                        error(f"{err} (choose another with --http-port, or --no-http)")
                        return EXIT_FAILED
                    # The default port is taken: keep the dev stack, without the HTTP API.
                    error(f"{err}; the HTTP API is off (choose a port with --http-port)")
                    service = None
            print(f"Temporal server  {server.address} (state: {server.db_file})")
            print(f"Web UI           {server.ui_url}")
            if service is not None:
                print(f"HTTP API         {http_url} (docs: {http_url}/docs)")
                print(f"Run inspector    {http_url}/ui")
            print(
                f"Worker           task queue {settings.temporal.task_queue!r}, "
                f"{len(engine.activities)} activities"
            )
            names = engine.catalog.names()
            print(f"Definitions      {', '.join(names) or '(none)'}")
            if not names:
                print(f"                 {definitions_note(settings.definitions, names)}")
            for file in engine.catalog.invalid:
                print(f"  invalid: {file} (run 'tdsl lint {file}')")
            print("Press Ctrl-C to stop.", flush=True)
            if args.example:
                await run_example(engine, args.example, args.example_input)
                if args.exit_after_example:
                    if service is not None:
                        await service.stop()
                    await engine.stop()
                    return EXIT_OK
            if service is not None:
                await serve_until_stopped(service, engine)
            else:
                from .worker_cmd import run_until_signalled

                await run_until_signalled(engine)
        finally:
            server.stop()
        return EXIT_OK

    return run_async(main)


async def run_example(engine: TemporalEngine, name: str, input_text: str | None) -> None:
    from ..errors import UnknownDefinition
    from .common import read_json_argument

    value = read_json_argument(input_text)
    runs = engine.require_runs()
    try:
        started = await runs.start(name, value)
    except UnknownDefinition as err:
        if not engine.catalog.names():
            err.message += f"; {definitions_note(engine.settings.definitions, [])}"
        raise err
    print(f"Example run      {name} (workflow id {started.workflow_id})", flush=True)
    result = await runs.result(started.workflow_id, timeout=60)
    print(json.dumps(result, indent=2), flush=True)
