"""What the sub-commands share: connection options, settings, async running, output and exiting."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from tdsl.activities.modules import ActivityModuleError

from ..config import ConfigError, Settings, load_settings
from ..errors import EngineError

T = TypeVar("T")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_connection_options(parser: argparse.ArgumentParser, *, worker: bool = True) -> None:
    group = parser.add_argument_group("connection (flags override config.yaml and environment)")
    group.add_argument("--config", help="configuration file (default: $TDSL_CONFIG or ./config.yaml)")
    group.add_argument("--address", help="Temporal frontend host:port (env TEMPORAL_ADDRESS)")
    group.add_argument("--namespace", help="Temporal namespace (env TEMPORAL_NAMESPACE)")
    group.add_argument("--task-queue", help="task queue (env TEMPORAL_TASK_QUEUE)")
    group.add_argument("--definitions", help="definitions folder (env TDSL_DEFINITIONS)")
    if worker:
        group.add_argument(
            "--activity-module", action="append", dest="activity_modules",
            help="module registering activities; repeatable (env TDSL_ACTIVITY_MODULES)",
        )


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {
        "temporal": {
            "url": getattr(args, "address", None),
            "namespace": getattr(args, "namespace", None),
            "task_queue": getattr(args, "task_queue", None),
        },
        "definitions": getattr(args, "definitions", None),
        "activity_modules": getattr(args, "activity_modules", None),
    }
    for key, value in extra.items():
        overrides[key] = value
    return load_settings(getattr(args, "config", None), overrides=overrides)


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


class UsageError(Exception):
    """Bad command-line input; printed without a traceback, exit status 2."""


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False, default=str))


def error(message: str) -> None:
    print(f"tdsl: error: {message}", file=sys.stderr)


def run_async(main: Callable[[], Awaitable[int]]) -> int:
    """Run a command coroutine; known errors become messages and exit codes, Ctrl-C exits 130."""
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        return 130
    except (ConfigError, UsageError, ActivityModuleError) as err:
        error(str(err))
        return EXIT_USAGE
    except EngineError as err:
        error(err.message)
        details = err.as_dict()
        if "errors" in details:
            for item in details["errors"]:
                print(f"  {item['path']}: {item['message']}", file=sys.stderr)
        return EXIT_FAILED
    except TimeoutError as err:
        error(str(err))
        return EXIT_FAILED
    except (ConnectionError, RuntimeError) as err:
        error(f"{err}")
        return EXIT_FAILED


def finish(code: int) -> None:
    """Flush and exit immediately: a normal interpreter exit after using the Temporal client can abort in
    native code (see docs/TEMPORAL_NOTES.md, "Process exit")."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
