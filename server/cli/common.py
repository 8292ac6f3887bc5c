"""What the sub-commands share: connection options, settings, async running, output and exiting.

This module is imported to build the parser (``tdsl --help``), so it imports nothing heavy at module level:
the settings model (pydantic), asyncio and the error types of other packages are imported when a command runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tdsl.errors import SetupError

if TYPE_CHECKING:
    from ..config import Settings
    from ..connection import ConnectionSettings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Command:
    """A verb's implementation named by module and function, imported only when the verb runs."""

    def __init__(self, module: str, function: str) -> None:
        self.module = module
        self.function = function

    def __call__(self, args: argparse.Namespace) -> int:
        implementation: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(self.module), self.function
        )
        return implementation(args)

    def __repr__(self) -> str:
        return f"Command({self.module}:{self.function})"


def add_connection_options(
    parser: argparse.ArgumentParser, *, worker: bool = True, definitions: bool = True
) -> None:
    """``--config``, ``--address``, ``--namespace``, ``--task-queue``; ``--definitions`` and
    ``--activity-module`` for the commands that load them (``definitions=False`` still accepts
    ``--definitions``, silently, so scripts that pass it to every command keep working)."""
    group = parser.add_argument_group("connection (flags override config.yaml and environment)")
    group.add_argument("--config", help="configuration file (default: $TDSL_CONFIG or ./config.yaml)")
    group.add_argument("--address", help="Temporal frontend host:port (env TEMPORAL_ADDRESS)")
    group.add_argument("--namespace", help="Temporal namespace (env TEMPORAL_NAMESPACE)")
    group.add_argument("--task-queue", help="task queue (env TEMPORAL_TASK_QUEUE)")
    group.add_argument(
        "--definitions",
        help="definitions folder (env TDSL_DEFINITIONS)" if definitions else argparse.SUPPRESS,
    )
    if worker:
        group.add_argument(
            "--activity-module",
            action="append",
            dest="activity_modules",
            help="module registering activities; repeatable (env TDSL_ACTIVITY_MODULES)",
        )


def _overrides(args: argparse.Namespace, extra: dict[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        "temporal": {
            "url": getattr(args, "address", None),
            "namespace": getattr(args, "namespace", None),
            "task_queue": getattr(args, "task_queue", None),
        },
        "definitions": getattr(args, "definitions", None),
        "activity_modules": getattr(args, "activity_modules", None),
    }
    overrides.update(extra)
    return overrides


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    """The settings: configuration file, environment, then the command's flags."""
    from ..config import load_settings

    return load_settings(getattr(args, "config", None), overrides=_overrides(args, extra))


def connection_from(args: argparse.Namespace) -> ConnectionSettings:
    """Only the connection settings, from the same sources as :func:`settings_from` but without the settings
    models: what the verbs that just talk to Temporal need."""
    from ..config_sources import settings_tree
    from ..connection import connection_settings

    return connection_settings(settings_tree(getattr(args, "config", None), overrides=_overrides(args, {})))


def definitions_note(folder: str | Path, names: list[str]) -> str:
    """Where definitions were looked for, in words (for "unknown definition" and the dev banner)."""
    where = Path(folder).expanduser().resolve()
    if not where.is_dir():
        return (f"no definitions folder at {where} (set --definitions, TDSL_DEFINITIONS or `definitions:` "
                "in config.yaml)")
    if not names:
        return f"no definitions in {where}"
    return f"definitions are read from {where}"


def read_json_argument(text: str | None) -> Any:
    """A JSON value given inline, as ``@file.json``, or ``-`` for stdin (``None`` when absent)."""
    if text is None:
        return None
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise UsageError(f"cannot read {text[1:]}: {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None


class UsageError(SetupError):
    """Bad command-line input; printed without a traceback, exit status 2."""


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False, default=str))


def error(message: str) -> None:
    """Print an error message; its text may come from a server or a run, so it is made terminal-safe."""
    from .terminal import safe

    print(f"tdsl: error: {safe(message, keep_newlines=True)}", file=sys.stderr)


def _usage_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "fix the command line or the configuration" (exit 2)."""
    from ..config_sources import ConfigError

    found: list[type[Exception]] = [ConfigError, UsageError]
    # Only a command that imported the activity registry can have failed to load an activity module; the
    # others (status, signal, ...) must not import it just to name this error.
    modules = sys.modules.get("tdsl.activities.modules")
    if modules is not None:
        found.append(modules.ActivityModuleError)
    return tuple(found)


def run_async(main: Callable[[], Awaitable[int]]) -> int:
    """Run a command coroutine; known errors become messages and exit codes, Ctrl-C exits 130."""
    import asyncio

    from ..errors import EngineError

    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        return 130
    except EngineError as err:
        error(err.message)
        details = err.record()["details"]
        if isinstance(details, dict) and "errors" in details:
            from .terminal import safe

            for item in details["errors"]:
                print(f"  {safe(item['path'])}: {safe(item['message'])}", file=sys.stderr)
        return EXIT_FAILED
    except TimeoutError as err:
        error(str(err))
        return EXIT_FAILED
    except Exception as err:
        if isinstance(err, _usage_errors()):
            error(str(err))
            return EXIT_USAGE
        if isinstance(err, (ConnectionError, RuntimeError)):
            error(f"{err}")
            return EXIT_FAILED
        raise


def finish(code: int) -> None:
    """Flush and exit immediately: a normal interpreter exit after using the Temporal client can abort in
    native code (see docs/TEMPORAL_NOTES.md, "Process exit")."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
