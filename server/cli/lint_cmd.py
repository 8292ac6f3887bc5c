"""``tdsl lint [PATH ...] [--format text|json|github]``: check definitions before they run.

Exit status: 0 when there is no error (warnings allowed), 1 when some definition has errors, 2 when the
linter could not run (a path that does not exist, an activity module that fails to import, a bad
configuration).
"""

from __future__ import annotations

import argparse
import os
import sys

from tdsl.activities import load_modules
from tdsl.dsl_schema.lint import FORMATS, LintPathError, lint_paths, render

from ..config import ConfigError
from .common import EXIT_USAGE, error, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint", help="check definitions: YAML syntax, the JSON Schema and semantic checks",
        description="Check definitions: YAML syntax, the JSON Schema and semantic checks "
                    "(docs/LINT_CODES.md lists the codes). Exit status 0: no errors (warnings allowed); "
                    "1: errors; 2: could not run.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="definition files or folders (default: the configured definitions folder)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (with source lines and carets), json, or github (Actions annotations)")
    parser.add_argument("--config", help="configuration file (default: $TDSL_CONFIG or ./config.yaml)")
    parser.add_argument("--definitions",
                        help="definitions folder: linted by default; child definitions are looked up there")
    parser.add_argument("--activity-module", action="append", dest="activity_modules",
                        help="module registering activities; repeatable; replaces the configured modules "
                             "(env TDSL_ACTIVITY_MODULES)")
    parser.set_defaults(func=run)


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
        error(str(err))
        return EXIT_USAGE
    output = render(report, args.format)
    if output:
        print_output(output)
    return report.exit_code
