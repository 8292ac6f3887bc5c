"""``tdsl graph NAME|FILE [--format mermaid|dot]``, ``tdsl graph --run ID``, ``tdsl graph --all --out DIR``.

A definition is drawn from the YAML (a file, or a definition of the configured folder by name) after the one
compile pipeline accepted it; a run is drawn from the definition it is pinned to, with what it did. Only
``--run`` talks to Temporal (and imports its client). Exit status: 0 done, 1 the definition is invalid, the
run is unknown, or (``--check``) a page is stale, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, error, settings_from

if TYPE_CHECKING:
    from tdsl.dsl_schema.graph import Graph


def _definitions_folder(args: argparse.Namespace) -> Path:
    if getattr(args, "definitions", None):
        return Path(args.definitions)
    return Path(settings_from(args).definitions)


def _definition_graph(target: str, args: argparse.Namespace) -> Graph:
    """The graph of a definition file, or of the definition named ``target`` in the definitions folder."""
    from tdsl.dsl_schema.compile import compile_document, definition_files, read_document
    from tdsl.dsl_schema.graph import build_graph

    path = Path(target)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise UsageError(f"no such file: {target}")
        doc = read_document(path)
    else:
        from tdsl.dsl_schema.suggest import closest_name

        folder = _definitions_folder(args)
        found = None
        names: list[str] = []
        for file in definition_files(folder) if folder.is_dir() else []:
            candidate = read_document(file)
            name = candidate.data.get("name") if isinstance(candidate.data, dict) else None
            if name == target:
                found = candidate
                break
            if isinstance(name, str):
                names.append(name)
        if found is None:
            close = closest_name(target, names)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise UsageError(f"no definition named {target!r} in {folder}{hint}")
        doc = found
    compiled = compile_document(doc)
    compiled.require()
    return build_graph(doc.data)


def _run_graph(workflow_id: str, args: argparse.Namespace) -> Graph | int:
    """The run's graph, or the exit status when it could not be read (the error is printed)."""
    from ..connection import connect
    from ..errors import EngineNotReady
    from ..gateway.inspecting import RunInspector
    from ..graph import run_graph
    from .common import connection_from, run_async

    found: list[Graph] = []

    async def main() -> int:
        connection = connection_from(args)
        if not connection.enabled:
            raise EngineNotReady("Temporal is disabled in the configuration (temporal.enabled: false)")
        found.append(await run_graph(RunInspector(await connect(connection)), workflow_id))
        return EXIT_OK

    code = run_async(main)
    return found[0] if code == EXIT_OK else code


def _pages(args: argparse.Namespace) -> int:
    from tdsl.dsl_schema.graph.pages import stale_pages, write_pages

    if not args.out:
        raise UsageError("--all needs --out DIR (for example --out docs/graphs)")
    folder, out = _definitions_folder(args), Path(args.out)
    if args.check:
        stale = stale_pages(folder, out)
        for name in stale:
            error(f"{out / name} is stale: run tdsl graph --all --out {out}")
        return EXIT_FAILED if stale else EXIT_OK
    for path in write_pages(folder, out):
        print(path)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from tdsl.dsl_schema.diagnostics import DefinitionRejected
    from tdsl.dsl_schema.graph import render

    try:
        if args.all:
            return _pages(args)
        if args.run:
            if args.target:
                raise UsageError("give a definition or --run ID, not both")
            found = _run_graph(args.run, args)
            if isinstance(found, int):
                return found
            graph = found
        elif args.target:
            graph = _definition_graph(args.target, args)
        else:
            raise UsageError("give a definition (name or file), --run ID or --all")
    except UsageError as err:
        error(str(err))
        return EXIT_USAGE
    except DefinitionRejected as err:
        error(f"the definition is invalid:\n{err}")
        return EXIT_FAILED
    _print(render(graph, args.format).rstrip("\n"))
    return EXIT_OK


def _print(text: str) -> None:
    """Print ``text`` (terminal-safe: a run's graph carries names from the run); a reader that stops early
    (``| head``) is not an error."""
    from .terminal import safe

    try:
        print(safe(text, keep_newlines=True), flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so the final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
