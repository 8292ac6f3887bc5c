"""``tdsl upgrade NAME [--dry-run] [--query QUERY | --run-id ID] [--json]``: offer the current definition of
NAME to its open runs, checked (docs/UPGRADE.md).

Exit status: 0 when every selected run moved (or, in a dry run, is compatible) or already runs this
definition; 1 when a run was refused, rejected or is incompatible; 2 when nothing could be checked.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING

from .common import EXIT_FAILED, EXIT_OK, print_json, run_async, settings_from

if TYPE_CHECKING:
    from ..upgrade import RunUpgrade

_FINE = ("compatible", "moved", "current")


def format_report(name: str, reports: list[RunUpgrade], dry_run: bool) -> str:
    """The report for people: a line per run and a count per outcome."""
    if not reports:
        return f"no open runs of {name!r} selected"
    lines = [f"  {report.describe()}" for report in reports]
    counts = Counter(report.status for report in reports)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    first = reports[0]
    head = f"upgrade {name} to version {first.to_version} (sha256 {str(first.to_sha256)[:12]})"
    return "\n".join([head + (", dry run" if dry_run else ""), *lines, f"{len(reports)} run(s): {summary}"])


def run(args: argparse.Namespace) -> int:
    async def main() -> int:
        from ..engine import TemporalEngine

        settings = settings_from(args)
        settings.temporal.worker.enabled = False
        engine = TemporalEngine(settings=settings)
        await engine.start()
        try:
            reports = await engine.upgrade(
                args.name, dry_run=args.dry_run, query=args.query, run_id=args.run_id
            )
        finally:
            await engine.stop()
        if args.json:
            print_json({"definition": args.name, "dry_run": args.dry_run,
                        "runs": [report.as_dict() for report in reports]})
        else:
            print(format_report(args.name, reports, args.dry_run))
        return EXIT_OK if all(report.status in _FINE for report in reports) else EXIT_FAILED

    return run_async(main)
