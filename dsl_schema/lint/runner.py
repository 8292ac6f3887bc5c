"""Lint files and folders: YAML, JSON Schema, models and semantic checks, every problem of every file.

The pipeline per file is the catalog's (:mod:`tdsl.dsl_schema.compile`) with its ``check_invalid`` option:
the semantic checks also run when the schema is violated (the outline skips what has the wrong shape), so one
run reports a misspelt key and an unknown activity together. Semantic diagnostics inside a part the schema
already rejects are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tdsl.errors import SetupError

from .. import compile as pipeline
from ..diagnostics import DefinitionRejected, Diagnostic
from ..loader import LoadedDocument
from .context import ActivityLookup


class LintPathError(SetupError):
    """A path given to the linter does not exist (the linter could not run)."""


@dataclass
class LintReport:
    """The outcome of linting some files: every diagnostic, and each file's text (for excerpts)."""

    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def exit_code(self) -> int:
        """0 when there is no error (warnings allowed), 1 otherwise."""
        return 1 if self.errors else 0


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, and every ``*.yaml``/``*.yml`` under the folders named, each once, in order."""
    return list(_collect(paths))


def _collect(paths: Iterable[str | Path]) -> dict[Path, Path | None]:
    """Each file to lint and the folder it must stay in (``None`` for a file named itself that is no link)."""
    found: dict[Path, tuple[Path, Path | None]] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in pipeline.definition_files(path):
                found.setdefault(file.resolve(), (file, path))
        elif path.exists():
            # a link named itself may point next to it, never elsewhere (a glob of a folder names them all)
            found.setdefault(path.resolve(), (path, path.parent if path.is_symlink() else None))
        else:
            raise LintPathError(f"{path} does not exist")
    return dict(found.values())


def lint_document(
    doc: LoadedDocument, registry: ActivityLookup | None = None, catalog_names: frozenset[str] | None = None
) -> list[Diagnostic]:
    """Every problem of one loaded document, sorted by position."""
    return list(pipeline.compile_document(doc, registry, catalog_names, check_invalid=True).diagnostics)


def lint_text(
    text: str,
    file: str = "<string>",
    registry: ActivityLookup | None = None,
    catalog_names: frozenset[str] | None = None,
) -> list[Diagnostic]:
    """Every problem of one definition given as text."""
    from ..loader import load_text

    try:
        doc = load_text(text, file)
    except DefinitionRejected as err:
        return list(err.diagnostics)
    return lint_document(doc, registry, catalog_names)


def definition_names(folder: str | Path, skip: Iterable[Path] = ()) -> frozenset[str]:
    """Names of the definitions in ``folder`` except the files in ``skip`` (files that do not parse are
    ignored)."""
    root = Path(folder)
    if not root.is_dir():
        return frozenset()
    skipped = {p.resolve() for p in skip}
    names = set()
    for file in pipeline.definition_files(root):
        if file.resolve() in skipped:
            continue
        try:
            data = pipeline.read_document(file, root).data
        except DefinitionRejected:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            names.add(data["name"])
    return frozenset(names)


def lint_paths(
    paths: Sequence[str | Path],
    registry: ActivityLookup | None = None,
    *,
    catalog_folder: str | Path | None = None,
) -> LintReport:
    """Lint files and folders. Child definitions may name any linted definition or, with ``catalog_folder``,
    any definition there. Raises :class:`LintPathError` when a path does not exist."""
    folders = _collect(paths)
    files = list(folders)
    report = LintReport(files=[str(f) for f in files])
    docs: list[LoadedDocument] = []
    for file in files:
        try:
            doc = pipeline.read_document(file, folders[file])
        except DefinitionRejected as err:
            report.diagnostics.extend(err.diagnostics)
            report.texts[str(file)] = err.text or ""
            continue
        docs.append(doc)
        report.texts[doc.file] = doc.text
    known = definition_names(catalog_folder, files) if catalog_folder is not None else frozenset()
    for compiled in pipeline.compile_documents(docs, registry, known, check_invalid=True):
        report.diagnostics.extend(compiled.diagnostics)
    order = {file: index for index, file in enumerate(report.files)}
    report.diagnostics.sort(key=lambda d: (order.get(d.file, len(order)), d.line, d.col, d.code, d.message))
    return report
