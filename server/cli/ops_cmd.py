"""Run operations at a terminal: ``tdsl status|result|signal|query|update|cancel|terminate|list``.

They go through the same :class:`~tdsl.server.runs.RunService` as the HTTP API and the engine, so a signal is
checked against its declaration and schema before it is sent. Exit status: 0 done, 1 failed (or the run
failed), 2 usage or configuration error, 3 the run is still running (``tdsl result``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ..engine import TemporalEngine
from ..run_types import RunInfo, RunStatus
from ..runs import RunService
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_connection_options,
    print_json,
    read_json_argument,
    run_async,
    settings_from,
)

EXIT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    def command(name: str, help: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help, description=help)
        parser.set_defaults(func=func)
        return parser

    def finish(parser: argparse.ArgumentParser) -> None:
        add_connection_options(parser, worker=False)

    p = command("status", "show a run's status and its built-in progress", status)
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true", help="print JSON")
    finish(p)

    p = command("result", "print a run's result (exit 3 while it is still running)", result)
    p.add_argument("workflow_id")
    p.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for the run to end"
    )
    finish(p)

    p = command("signal", "send a signal to a run", signal)
    p.add_argument("workflow_id")
    p.add_argument("name", help="signal name (declared by the definition)")
    p.add_argument("payload", nargs="?", help="payload: JSON, @file.json or - for stdin")
    finish(p)

    p = command("query", "ask a run a query (also after it ended)", query)
    p.add_argument("workflow_id")
    p.add_argument("name", help="query name (declared by the definition, or __progress)")
    finish(p)

    p = command("update", "send an update to a run and print its result", update)
    p.add_argument("workflow_id")
    p.add_argument("name", help="update name (declared by the definition)")
    p.add_argument("payload", nargs="?", help="payload: JSON, @file.json or - for stdin")
    finish(p)

    p = command("cancel", "cancel a run (YAML runs compensate what they did)", cancel)
    p.add_argument("workflow_id")
    finish(p)

    p = command("terminate", "terminate a run at once (no compensation)", terminate)
    p.add_argument("workflow_id")
    p.add_argument("--reason", help="recorded in the run's history")
    finish(p)

    p = command("list", "list recent runs, grouped by definition", list_runs)
    p.add_argument("--definition", "-d", help="only runs of this definition")
    p.add_argument("--status", help="only runs with this status (RUNNING, COMPLETED, FAILED, ...)")
    p.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    finish(p)


def _with_runs(args: argparse.Namespace, body: Callable[[RunService], Awaitable[int]]) -> int:
    async def main() -> int:
        settings = settings_from(args)
        settings.temporal.worker.enabled = False  # these commands only talk to the server
        # About runs, not definitions: invalid files are `tdsl lint`'s business, not noise here.
        logging.getLogger("temporal_dsl.engine").setLevel(logging.CRITICAL)
        engine = TemporalEngine(settings=settings)
        await engine.start()
        try:
            return await body(engine.require_runs())
        finally:
            await engine.stop()

    return run_async(main)


def _args(payload: str | None) -> tuple[Any, ...]:
    return () if payload is None else (read_json_argument(payload),)


# ---------------------------------------------------------------------------------------------- commands
def status(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        info = await runs.info(args.workflow_id, progress=True)
        if args.json:
            print_json(info.as_dict())
        else:
            print(format_status(info))
        return EXIT_OK

    return _with_runs(args, body)


def format_status(info: RunInfo) -> str:
    """A run's status for people."""
    kind = f"{info.workflow_type} v{info.version}" if info.version is not None else info.workflow_type
    lines = [
        f"{info.workflow_id}  {kind}  {info.status.value}",
        f"  run id      {info.run_id}",
        f"  started     {_time(info.start_time)}",
    ]
    if info.close_time:
        lines.append(f"  closed      {_time(info.close_time)}")
    if info.sha256:
        lines.append(
            f"  sha256      {info.sha256}" + (f"  (commit {info.commit[:12]})" if info.commit else "")
        )
    lines.append(f"  task queue  {info.task_queue}   history events {info.history_length}")
    progress = info.progress
    if progress:
        completed = progress.get("completed_steps") or []
        lines.append(
            f"  progress    {progress.get('status')}: {progress.get('completed_count', len(completed))} "
            f"step(s) completed" + (f" ({', '.join(completed[-8:])})" if completed else "")
        )
        current = progress.get("current_steps") or []
        if current:
            lines.append(f"  running     {', '.join(current)}")
        for wait in progress.get("pending_waits") or []:
            lines.append(f"  waiting     {json.dumps(wait, default=str)}")
        if progress.get("pending_signals"):
            lines.append(f"  signals     {', '.join(progress['pending_signals'])} (not yet handled)")
        for ignored in progress.get("ignored_signals") or []:
            lines.append(f"  ignored     {json.dumps(ignored, default=str)}")
        if progress.get("compensations"):
            lines.append(f"  compensated {json.dumps(progress['compensations'], default=str)}")
    return "\n".join(lines)


def _time(moment: Any) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment is not None else "-"


def result(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        outcome = await runs.outcome(args.workflow_id, timeout=max(args.wait, 0.0))
        if outcome.status is RunStatus.RUNNING:
            print(f"tdsl: run {args.workflow_id!r} is still running", file=sys.stderr)
            return EXIT_RUNNING
        if outcome.status is RunStatus.COMPLETED:
            print_json(outcome.result)
            return EXIT_OK
        error = outcome.error or {}
        print(
            f"tdsl: run {args.workflow_id!r} {outcome.status.value}: "
            f"{error.get('type')}: {error.get('message')}",
            file=sys.stderr,
        )
        print_json(outcome.as_dict())
        return EXIT_FAILED

    return _with_runs(args, body)


def signal(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        await runs.signal(args.workflow_id, args.name, *_args(args.payload))
        print(f"signal {args.name!r} sent to {args.workflow_id}")
        return EXIT_OK

    return _with_runs(args, body)


def query(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        print_json(await runs.query(args.workflow_id, args.name))
        return EXIT_OK

    return _with_runs(args, body)


def update(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        print_json(await runs.update(args.workflow_id, args.name, *_args(args.payload)))
        return EXIT_OK

    return _with_runs(args, body)


def cancel(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        await runs.cancel(args.workflow_id)
        print(f"cancellation of {args.workflow_id} requested")
        return EXIT_OK

    return _with_runs(args, body)


def terminate(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        await runs.terminate(args.workflow_id, args.reason)
        print(f"{args.workflow_id} terminated")
        return EXIT_OK

    return _with_runs(args, body)


def list_runs(args: argparse.Namespace) -> int:
    async def body(runs: RunService) -> int:
        found = await runs.list_runs(args.definition, limit=args.limit, status=args.status)
        if args.json:
            print_json(found)
            return EXIT_OK
        if not found:
            print("no runs")
            return EXIT_OK
        groups: dict[str, list[dict[str, Any]]] = {}
        for run in found:
            groups.setdefault(run["workflow_type"], []).append(run)
        width = max(len(run["workflow_id"]) for run in found)
        for name in sorted(groups):
            print(name)
            for run in groups[name]:
                started = (run["start_time"] or "-")[:19].replace("T", " ")
                print(f"  {run['workflow_id']:<{width}}  {run['status']:<16} {started}")
        return EXIT_OK

    return _with_runs(args, body)
