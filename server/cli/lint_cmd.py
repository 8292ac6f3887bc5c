"""``tdsl lint [PATH ...] [--format text|json|github]``: check definitions before they run.

Exit status: 0 when there is no error (warnings allowed), 1 when some definition has errors, 2 when the
linter could not run (a path that does not exist, an activity module that fails to import, a bad
configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tdsl.activities import load_modules
from tdsl.dsl_schema.lint import LintPathError, lint_paths, render
from tdsl.errors import TdslError, record_of

from ..config import ConfigError
from .common import EXIT_USAGE, error, settings_from


def print_output(text: str) -> None:
    """Print ``text``; a reader that stops early (``| head``) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so the final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        registry = load_modules(settings.activity_modules)
        paths = args.paths or [settings.definitions]
        report = lint_paths(paths, registry, catalog_folder=settings.definitions)
    except (ConfigError, ImportError, LintPathError) as err:
        if args.format == "json":  # a reader of JSON gets the error as a record, like every API answer
            record = err.record() if isinstance(err, TdslError) else record_of(type(err).__name__, str(err))
            print_output(json.dumps({"error": record}, indent=2))
        error(str(err))
        return EXIT_USAGE
    output = render(report, args.format)
    if output:
        print_output(output)
    return report.exit_code
