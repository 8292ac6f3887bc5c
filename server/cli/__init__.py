"""``tdsl``: the command line of Temporal DSL.

Each sub-command lives in its own module exposing ``register(subparsers)``; a command function receives the
parsed arguments and returns an exit status.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from . import dev_cmd, lint_cmd, ops_cmd, run_cmd, schema_cmd, serve_cmd, worker_cmd
from .common import finish

COMMAND_MODULES = [dev_cmd, worker_cmd, run_cmd, lint_cmd, schema_cmd, serve_cmd, ops_cmd]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tdsl", description="Temporal DSL: declarative YAML workflows on Temporal."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``tdsl`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Activity modules next to the user's definitions import as with ``python -m``: from the current folder.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    # SIGTERM takes the same clean path as Ctrl-C (stop the worker, stop the dev server).
    signal.signal(signal.SIGTERM, _interrupt)
    finish(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
