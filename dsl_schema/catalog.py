"""The catalog: every definition of a folder, compiled, with the sha256 of its text and the git commit that
holds it (only when the file is committed and unchanged: :mod:`.git_source`).

Loading compiles each file with the one pipeline (:mod:`.compile`: YAML with positions -> JSON Schema ->
models -> semantic checks, activities against the registry when one is given). A file with errors is kept out
of the catalog and reported with its diagnostics; it can never be started. Each entry keeps a compact source
map (step path -> line) that travels with its runs, so a run-time error names the file and line of its step.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compile import (
    Compiled,
    compile_document,
    compile_documents,
    compile_text,
    definition_files,
    read_document,
)
from .diagnostics import DefinitionRejected, Diagnostic
from .git_source import GitSource, git_sources
from .lint.context import ActivityLookup
from .loader import LoadedDocument
from .models import Definition
from .source_map import SourceMap

__all__ = [
    "Catalog",
    "CatalogEntry",
    "activity_names",
    "child_definition_names",
    "compile_document",
    "definition_files",
    "git_commit",
    "git_sources",
    "load_definition_text",
    "read_document",
]


@dataclass(frozen=True)
class CatalogEntry:
    """A valid definition, ready to start."""

    definition: Definition
    data: dict[str, Any]
    sha256: str
    file: str
    commit: str | None = None
    """The git commit holding the file exactly as compiled; ``None`` when it is modified, untracked, or not
    in a repository."""
    warnings: tuple[Diagnostic, ...] = ()
    source: SourceMap | None = None
    """Where the steps are (``{"file", "lines": {step_path: line}}``); carried in the start payload."""
    source_state: str | None = None
    """``committed``, ``modified`` or ``untracked`` (see :class:`~.git_source.GitSource`); ``None``
    outside git."""

    @classmethod
    def of(
        cls, compiled: Compiled, commit: str | GitSource | None = None, file: str | None = None
    ) -> CatalogEntry:
        """The entry of a compiled document without errors (``file``: its name in the source map;
        ``commit``: the file's :class:`~.git_source.GitSource`, or a commit taken as is)."""
        definition = compiled.require()
        doc = compiled.doc
        git = commit if isinstance(commit, GitSource) else GitSource(commit, "committed" if commit else None)
        return cls(definition, doc.data, doc.sha256, doc.file, git.commit, tuple(compiled.diagnostics),
                   compiled.source_map(file), git.state)

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def version(self) -> int | str:
        return self.definition.version

    def memo(self) -> dict[str, Any]:
        """The memo every run of this definition carries: ``commit`` only when that commit holds the file as
        it ran; a file edited since its last commit, or never committed, is said so instead
        (``"commit": null, "source_state": "modified" | "untracked"``). The sha256 is always there."""
        memo: dict[str, Any] = {
            "definition": self.name,
            "version": self.version,
            "sha256": self.sha256,
        }
        if self.commit:
            memo["commit"] = self.commit
        elif self.source_state in ("modified", "untracked"):
            memo["commit"] = None
            memo["source_state"] = self.source_state
        return memo

    def pinned(self) -> dict[str, Any]:
        """The entry as a run carries it for child starts (see ``interpreter.RunPayload.children``)."""
        pinned = {"definition": self.data, "definition_name": self.name, "version": self.version,
                  "sha256": self.sha256, "commit": self.commit}
        if self.source is not None:
            pinned["source"] = self.source
        return pinned


def load_definition_text(
    text: str, file: str = "<string>", activities: ActivityLookup | None = None
) -> CatalogEntry:
    """Compile one definition given as text; raise :class:`DefinitionRejected` with every error."""
    return CatalogEntry.of(compile_text(text, file, activities))


def git_commit(folder: Path) -> str | None:
    """The HEAD commit of the repository holding ``folder``, if any (whether it holds a given file as it is:
    :func:`~.git_source.git_sources`)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


@dataclass
class Catalog:
    """Valid definitions by name, plus the diagnostics of files that failed (``invalid``, by file) and, for
    those whose YAML parsed, the file each refused definition name came from (``refused``)."""

    entries: dict[str, CatalogEntry] = field(default_factory=dict)
    invalid: dict[str, DefinitionRejected] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path, activities: ActivityLookup | None = None) -> Catalog:
        """Compile every ``*.yaml``/``*.yml`` under ``folder`` (activity names checked against
        ``activities`` when given)."""
        root = Path(folder)
        catalog = cls()
        files = definition_files(root) if root.exists() else []
        docs: list[LoadedDocument] = []
        for path in files:
            try:
                docs.append(read_document(path, root))
            except DefinitionRejected as err:
                catalog.invalid[str(path)] = err
        # Per file: the folder's HEAD holds only the files committed and unchanged since.
        git = git_sources([Path(doc.file) for doc in docs])
        for compiled in compile_documents(docs, activities):
            if compiled.definition is None:
                catalog.invalid[compiled.file] = compiled.invalid()
                if compiled.name is not None:
                    catalog.refused.setdefault(compiled.name, compiled.file)
                continue
            relative = Path(compiled.file).relative_to(root).as_posix() if root.exists() else None
            catalog.add(CatalogEntry.of(compiled, git.get(Path(compiled.file).resolve()), relative))
        return catalog

    def add(self, entry: CatalogEntry) -> None:
        self.entries[entry.name] = entry

    def get(self, name: str) -> CatalogEntry | None:
        return self.entries.get(name)

    def names(self) -> list[str]:
        return sorted(self.entries)

    def children_of(self, name: str) -> dict[str, dict[str, Any]]:
        """Pinned entries of every definition ``name`` may start as a child, transitively."""
        found: dict[str, dict[str, Any]] = {}
        pending = [name]
        while pending:
            entry = self.entries.get(pending.pop())
            if entry is None:
                continue
            for child in child_definition_names(entry.data):
                if child not in found and child in self.entries:
                    found[child] = self.entries[child].pinned()
                    pending.append(child)
        return found


def child_definition_names(data: Any) -> set[str]:
    """Names used in ``child.definition`` anywhere in a definition's data."""
    names: set[str] = set()
    for mapping in _mappings(data):
        child = mapping.get("child")
        if isinstance(child, dict) and isinstance(child.get("definition"), str):
            names.add(child["definition"])
    return names


def activity_names(data: Any) -> Iterator[str]:
    """Every activity name a definition (as data) calls, compensations included, in document order. Only
    steps call activities: an ``activity`` key in data (an ``http`` step's JSON body, a ``set`` value) is
    no call."""
    from .lint.outline import outline  # the steps, found by their kinds' declarations

    for info in outline(data).steps:
        name = info.data.get("activity") if info.kind == "activity" else None
        compensate = info.data.get("compensate")
        undo = compensate.get("activity") if isinstance(compensate, dict) else None
        yield from (value for value in (name, undo) if isinstance(value, str))


def _mappings(data: Any) -> Iterator[dict[Any, Any]]:
    """Every mapping in ``data``, each before the ones nested in it."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _mappings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _mappings(value)
