"""``tdsl test [PATH ...] [--format text|json|junit] [-k TEXT] [--coverage]``: run definition tests offline.

Each case of the ``*.test.yaml`` files runs on virtual time with mocked activities (no Temporal server).
Exit status: 0 when every case passed; 1 when a case failed; 2 when something could not run (an invalid
test file, an unknown definition, a path that does not exist, a case whose mock or input is unusable).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tdsl.server.testing.report import render
from tdsl.server.testing.runner import run_paths

from ..config import ConfigError
from .common import EXIT_USAGE, error, settings_from
from .lint_cmd import print_output


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        definitions = Path(settings.definitions)
        paths = args.paths or [definitions / "tests"]
        report = run_paths(paths, definitions=definitions, select=args.select)
    except (ConfigError, FileNotFoundError) as err:
        error(str(err))
        return EXIT_USAGE
    output = render(report, args.format)
    if args.coverage:
        from tdsl.server.testing.coverage import measure, render_coverage

        coverage = measure(report)
        output = f"{output}\n{render_coverage(coverage, args.format)}" if args.format == "text" else \
            render_coverage(coverage, args.format, report_text=output)
    print_output(output)
    return report.exit_code
