"""``tdsl test [PATH ...] [--format text|json|junit] [-k TEXT] [--coverage]``: run definition tests offline.

Each case of the ``*.test.yaml`` files runs on virtual time with mocked activities (no Temporal server).
Exit status: 0 when every case passed; 1 when a case failed; 2 when something could not run (an invalid
test file, an unknown definition, a path that does not exist, a case whose mock or input is unusable).
With ``--coverage`` the report adds what no case exercised (in JSON under ``coverage``; with JUnit XML on
standard error, so the XML stays valid).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tdsl.interpreter.offline import Trace
from tdsl.server.testing import coverage
from tdsl.server.testing.report import render
from tdsl.server.testing.runner import Catalogs, run_paths

from ..config import ConfigError
from .common import EXIT_USAGE, error, settings_from
from .lint_cmd import print_output


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        definitions = Path(settings.definitions)
        paths = args.paths or [definitions / "tests"]
        trace = Trace() if args.coverage else None
        catalogs = Catalogs(definitions)
        report = run_paths(paths, select=args.select, trace=trace, catalogs=catalogs)
    except (ConfigError, FileNotFoundError) as err:
        error(str(err))
        return EXIT_USAGE
    output = render(report, args.format)
    if trace is not None:
        measured = coverage.measure(trace, catalogs)
        if args.format == "json":
            output = json.dumps({**json.loads(output), "coverage": coverage.as_data(measured)}, indent=2)
        elif args.format == "junit":
            print(coverage.render_text(measured), file=sys.stderr)
        else:
            output = f"{output}\n{coverage.render_text(measured)}"
    print_output(output)
    return report.exit_code
