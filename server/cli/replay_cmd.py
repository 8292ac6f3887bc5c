"""``tdsl replay``: replay workflow histories against this release's interpreter; ``--record`` writes one.

Sources: history files and folders (no server needed), and/or the runs a visibility query selects on the
configured server (``--query``). Exit status: 0 every history replays, 1 at least one diverges, 2 nothing
could be checked (a missing or unreadable file, no history found, no server). See docs/REPLAY.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, connection_from, error


def _connect(args: argparse.Namespace) -> Any:
    from ..connection import connect

    connection = connection_from(args)
    if not connection.enabled:
        raise RuntimeError("Temporal is disabled in the configuration (temporal.enabled: false)")
    return connect(connection)


async def _record(args: argparse.Namespace) -> int:
    from ..replay import record_run

    if not args.workflow_id:
        error("--record needs --workflow-id (the run whose history to record)")
        return EXIT_USAGE
    client = await _connect(args)
    path = await record_run(client, Path(args.record), args.workflow_id, args.run_id, args.name)
    print(f"recorded {args.workflow_id}: {path}")
    # A recorded history is only useful if it replays today: check it like any other.
    return await _replay(args, [str(path)], query=None)


async def _replay(args: argparse.Namespace, paths: list[str], query: str | None) -> int:
    from ..replay import load_paths, render, replay_histories
    from ..replay.sources import from_query

    async def sources() -> Any:
        for item in load_paths(paths):
            yield item
        if query:
            client = await _connect(args)
            async for found in from_query(client, query, args.limit):
                yield found

    # Histories stream through the replayer: a query may select many runs.
    outcomes = [outcome async for outcome in replay_histories(sources())]
    if not outcomes:
        error("no histories to replay" + (f" (the query selected no DSL runs: {query})" if query else ""))
        return EXIT_USAGE
    output = render(outcomes, args.format)
    if args.output:
        Path(args.output).write_text(output + "\n", encoding="utf-8")
        if args.format != "text":  # keep a short account on the terminal
            output = render(outcomes, "text")
    print(output)
    return EXIT_OK if all(outcome.ok for outcome in outcomes) else EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    """Replay the given histories (or record one with ``--record``); print the report."""
    import asyncio

    from temporalio.service import RPCError

    from ..config_sources import ConfigError
    from ..errors import EngineError
    from ..replay import HistoryFileError

    if args.record is None and not args.paths and not args.query:
        error("give history files or folders, --query, or --record DIR --workflow-id ID")
        return EXIT_USAGE
    try:
        if args.record is not None:
            return asyncio.run(_record(args))
        return asyncio.run(_replay(args, args.paths, args.query))
    except KeyboardInterrupt:
        return 130
    except HistoryFileError as err:
        error(str(err))
    except EngineError as err:
        error(err.message)
    except ConfigError as err:
        error(str(err))
    except (RuntimeError, RPCError) as err:  # the Temporal client's errors (no such run, a bad query)
        error(str(err))
    sys.stdout.flush()
    return EXIT_USAGE
