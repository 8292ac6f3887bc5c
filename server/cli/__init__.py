"""``tdsl``: the command line of Temporal DSL.

:mod:`.verbs` declares every sub-command and its arguments; each names its implementation (a function of a
``*_cmd`` module that receives the parsed arguments and returns an exit status), imported only when that verb
runs. Building the parser imports nothing heavy, so ``tdsl --help`` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from .common import finish
from .verbs import register_all

__all__ = ["build_parser", "main"]


class _Version(argparse.Action):
    """``--version``: the installed package's version, read only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("temporal-dsl")
        except PackageNotFoundError:
            found = "unknown (not installed)"
        print(f"tdsl {found}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The parser of every verb; ``args.func(args)`` runs the chosen one and returns its exit status."""
    parser = argparse.ArgumentParser(
        prog="tdsl", description="Temporal DSL: declarative YAML workflows on Temporal."
    )
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register_all(subparsers)
    _describe_verbs(subparsers)
    return parser


def _describe_verbs(subparsers: argparse._SubParsersAction) -> None:
    """Give every verb's ``--help`` a description: its one-line help, when it declares none of its own."""
    helps = {action.dest: action.help for action in subparsers._choices_actions}
    for name, verb in subparsers.choices.items():
        if verb.description is None and helps.get(name):
            text = str(helps[name])
            verb.description = text[:1].upper() + text[1:] + "."


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
