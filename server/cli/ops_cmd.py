"""Run operations at a terminal: ``tdsl status|result|signal|query|update|cancel|terminate|list``.

They go through the same gateway (:mod:`tdsl.server.gateway`) as the HTTP API and the engine, so a signal is
checked against its declaration and schema before it is sent: the declarations of the definition the run is
pinned to, read from the run itself. They never read the definitions folder nor import activity modules.
Exit status: 0 done, 1 failed (or the run failed), 2 usage or configuration error, 3 the run is still running
(``tdsl result``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ..connection import connect
from ..errors import EngineNotReady
from ..gateway.inspecting import RunInspector
from ..gateway.messaging import RunMessenger
from ..run_types import RunInfo, RunStatus
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    connection_from,
    print_json,
    read_json_argument,
    run_async,
)
from .terminal import safe

EXIT_RUNNING = 3


def _with_runs(
    args: argparse.Namespace, body: Callable[[RunInspector, RunMessenger], Awaitable[int]]
) -> int:
    """Run ``body`` with the gateway's inspector and messenger: a connection and nothing else (no definitions
    folder, no activity modules, no catalog)."""

    async def main() -> int:
        connection = connection_from(args)
        if not connection.enabled:
            raise EngineNotReady("Temporal is disabled in the configuration (temporal.enabled: false)")
        client = await connect(connection)
        inspector = RunInspector(client)
        return await body(inspector, RunMessenger(inspector))

    return run_async(main)


def _args(payload: str | None) -> tuple[Any, ...]:
    return () if payload is None else (read_json_argument(payload),)


# ---------------------------------------------------------------------------------------------- commands
def status(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
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
        if progress.get("stopped_in"):
            lines.append(f"  stopped in  {', '.join(progress['stopped_in'])}")
        if progress.get("compensations"):
            lines.append(f"  compensated {json.dumps(progress['compensations'], default=str)}")
        lines.extend(_upgrade_lines(progress.get("upgrade")))
    if info.error:
        lines.append(f"  error       {info.error['type']}: {info.error['message']}")
    for stall in info.stalled or []:
        lines.append(f"  STALLED     {stall['message']}")
    # Every value in these lines comes from the run (its id, step names, ...): escape what could act on
    # the terminal, line by line, so a newline inside a value cannot start a line of its own.
    return "\n".join(safe(line) for line in lines)


def _upgrade_lines(upgrade: Any) -> list[str]:
    """The run's upgrades (docs/UPGRADE.md): each move, and an accepted one waiting for a safe point."""
    if not isinstance(upgrade, dict):
        return []
    lines = []
    for moved in upgrade.get("history") or []:
        before, after = moved.get("from") or {}, moved.get("to") or {}
        lines.append(
            f"  upgraded    v{before.get('version')} ({str(before.get('sha256'))[:12]}) -> "
            f"v{after.get('version')} ({str(after.get('sha256'))[:12]}) at {moved.get('at_step')}, "
            f"{moved.get('at')}"
        )
    pending = upgrade.get("pending")
    if pending:
        lines.append(
            f"  upgrading   to v{pending.get('version')} ({str(pending.get('sha256'))[:12]}) "
            "at the next safe point"
        )
    return lines


def _time(moment: Any) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment is not None else "-"


def result(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        outcome = await runs.outcome(args.workflow_id, timeout=max(args.wait, 0.0))
        if outcome.status is RunStatus.RUNNING:
            print(f"tdsl: run {args.workflow_id!r} is still running", file=sys.stderr)
            return EXIT_RUNNING
        if outcome.status is RunStatus.COMPLETED:
            print_json(outcome.result)
            return EXIT_OK
        why = f"{outcome.error['type']}: {outcome.error['message']}" if outcome.error else "no error recorded"
        print(f"tdsl: run {args.workflow_id!r} {outcome.status.value}: {safe(why)}", file=sys.stderr)
        print_json(outcome.as_dict())
        return EXIT_FAILED

    return _with_runs(args, body)


def signal(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        await messages.signal(args.workflow_id, args.name, *_args(args.payload))
        print(f"signal {args.name!r} sent to {safe(args.workflow_id)}")
        return EXIT_OK

    return _with_runs(args, body)


def query(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        print_json(await messages.query(args.workflow_id, args.name))
        return EXIT_OK

    return _with_runs(args, body)


def update(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        print_json(await messages.update(args.workflow_id, args.name, *_args(args.payload)))
        return EXIT_OK

    return _with_runs(args, body)


def cancel(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        await messages.cancel(args.workflow_id)
        print(f"cancellation of {safe(args.workflow_id)} requested")
        return EXIT_OK

    return _with_runs(args, body)


def terminate(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        await messages.terminate(args.workflow_id, args.reason)
        print(f"{safe(args.workflow_id)} terminated")
        return EXIT_OK

    return _with_runs(args, body)


async def _definition_hint(runs: RunInspector, name: str, args: argparse.Namespace) -> str:
    """`` (did you mean 'x'?)`` for a definition name with no runs: the closest workflow type among recent
    runs and the definition files of the configured folder (by file name: nothing is parsed here)."""
    from pathlib import Path

    from tdsl.dsl_schema.suggest import closest_name

    from ..config_sources import settings_tree

    known: set[str] = set()
    with contextlib.suppress(Exception):  # only a hint: a listing that fails leaves it to the files
        known.update(run["workflow_type"] for run in await runs.list_runs(limit=200))
    folder = settings_tree(getattr(args, "config", None)).get("definitions") or "definitions"
    if isinstance(folder, str) and Path(folder).is_dir():
        known.update(p.stem for p in Path(folder).rglob("*.y*ml") if not p.name.endswith(".test.yaml"))
    close = closest_name(name, known - {name})
    return f" (did you mean {close!r}?)" if close else ""


def list_runs(args: argparse.Namespace) -> int:
    async def body(runs: RunInspector, messages: RunMessenger) -> int:
        found = await runs.list_runs(args.definition, limit=args.limit, status=args.status)
        if args.json:
            print_json(found)
            return EXIT_OK
        if not found:
            print("no runs")
            if args.definition:
                hint = await _definition_hint(runs, args.definition, args)
                if hint:
                    print(f"tdsl: no runs of {args.definition!r}{hint}", file=sys.stderr)
            return EXIT_OK
        groups: dict[str, list[dict[str, Any]]] = {}
        for run in found:
            groups.setdefault(safe(run["workflow_type"]), []).append(run)
        width = max(len(safe(run["workflow_id"])) for run in found)
        for name in sorted(groups):
            print(name)
            for run in groups[name]:
                started = safe((run["start_time"] or "-")[:19].replace("T", " "))
                print(f"  {safe(run['workflow_id']):<{width}}  {safe(run['status']):<16} {started}")
        return EXIT_OK

    return _with_runs(args, body)
