"""``tdsl schedules apply|list|describe|pause|unpause|trigger|backfill|delete``: declared schedules.

``apply`` reconciles the schedules the definitions declare with Temporal (docs/SCHEDULES.md); the other verbs
act on one schedule, named by its id or as ``definition:schedule`` (on the configured task queue). Like
``tdsl run`` they load the definitions folder (a scheduled run is started from it) but run no worker.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ..engine import TemporalEngine
from ..schedules import ScheduleService
from .common import EXIT_OK, UsageError, print_json, run_async, settings_from


async def _service(args: argparse.Namespace) -> ScheduleService:
    settings = settings_from(args)
    settings.temporal.worker.enabled = False
    settings.schedules.apply_on_start = False  # the verb itself says what to apply
    engine = TemporalEngine(settings=settings)
    await engine.start()
    return engine.schedules


def _when(text: str, flag: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{flag}: {text!r} is not an ISO 8601 time (for example 2030-01-01T02:00:00Z)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _print_schedule(schedule: dict[str, Any]) -> None:
    state = "paused" if schedule["paused"] else "active"
    note = f" ({schedule['note']})" if schedule.get("note") else ""
    print(f"{schedule['id']}  {state}{note}  runs started: {schedule['actions']}")
    if schedule["next_starts"]:
        print(f"  next: {', '.join(schedule['next_starts'][:3])}")
    for run in schedule["recent_runs"][-3:]:
        print(f"  ran:  {run['scheduled_at']}  {run['workflow_id']}")


def apply(args: argparse.Namespace) -> int:
    async def main() -> int:
        plan = await (await _service(args)).apply(prune=args.prune, dry_run=args.dry_run)
        if args.json:
            print_json(plan.to_dict())
        else:
            print(plan.render())
        return EXIT_OK

    return run_async(main)


def list_schedules(args: argparse.Namespace) -> int:
    async def main() -> int:
        found = await (await _service(args)).list_schedules()
        if args.json:
            print_json(found)
        elif not found:
            print("no schedules (tdsl schedules apply creates the declared ones)")
        for schedule in [] if args.json else found:
            _print_schedule(schedule)
        return EXIT_OK

    return run_async(main)


def _one(args: argparse.Namespace, act: str) -> int:
    async def main() -> int:
        service = await _service(args)
        if act == "backfill":
            start, end = _when(args.start, "--start"), _when(args.end, "--end")
            result = await service.backfill(args.schedule, start, end)
        elif act in ("pause", "unpause"):
            result = await getattr(service, act)(args.schedule, note=args.note)
        else:
            result = await getattr(service, act)(args.schedule)
        if getattr(args, "json", False) or act in ("describe", "delete"):
            print_json(result)
        else:
            _print_schedule(result)
        return EXIT_OK

    return run_async(main)


def describe(args: argparse.Namespace) -> int:
    return _one(args, "describe")


def pause(args: argparse.Namespace) -> int:
    return _one(args, "pause")


def unpause(args: argparse.Namespace) -> int:
    return _one(args, "unpause")


def trigger(args: argparse.Namespace) -> int:
    return _one(args, "trigger")


def backfill(args: argparse.Namespace) -> int:
    return _one(args, "backfill")


def delete(args: argparse.Namespace) -> int:
    return _one(args, "delete")
