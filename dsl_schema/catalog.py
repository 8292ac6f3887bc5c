"""The catalog: every definition of a folder, validated, with the sha256 of its text and its git commit.

Loading runs the full pipeline (YAML with positions -> JSON Schema -> models -> semantic checks). A file with
errors is kept out of the catalog and reported with its diagnostics; it can never be started.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .diagnostics import DefinitionInvalid, Diagnostic, YamlSyntaxError, errors_only
from .loader import LoadedDocument, load_file, load_text
from .models import Definition
from .validate import schema_diagnostics

# A semantic checker: (document, definition, catalog names) -> diagnostics. The linter provides one that
# knows the activity registry; without it only schema and model validation run.
Checker = Callable[[LoadedDocument, Definition, "frozenset[str] | None"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class CatalogEntry:
    """A valid definition, ready to start."""

    definition: Definition
    data: dict[str, Any]
    sha256: str
    file: str
    commit: str | None = None
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def version(self) -> int | str:
        return self.definition.version

    def memo(self) -> dict[str, Any]:
        """The memo every run of this definition carries."""
        memo: dict[str, Any] = {
            "definition": self.name,
            "version": self.version,
            "sha256": self.sha256,
        }
        if self.commit:
            memo["commit"] = self.commit
        return memo

    def pinned(self) -> dict[str, Any]:
        """The entry as a run carries it for child starts (see ``interpreter.RunPayload.children``)."""
        return {"definition": self.data, "definition_name": self.name, "version": self.version,
                "sha256": self.sha256, "commit": self.commit}


def _model_diagnostics(doc: LoadedDocument, err: ValidationError) -> list[Diagnostic]:
    found = []
    for item in err.errors():
        path = tuple(p for p in item["loc"] if not (isinstance(p, str) and p[:1].islower() and "-" in p))
        # pydantic adds union tags/type names to locations; keep only the parts present in the document
        real: list[str | int] = []
        node: Any = doc.data
        for part in path:
            in_map = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
            if in_map or in_list:
                node = node[part]
                real.append(part)
        found.append(doc.diagnostic(tuple(real), "E100", item["msg"]))
    return found


def compile_document(
    doc: LoadedDocument, checker: Checker | None = None, catalog_names: frozenset[str] | None = None
) -> tuple[Definition | None, list[Diagnostic]]:
    """Validate a loaded document; return the definition (``None`` when it has errors) and all diagnostics."""
    diagnostics = schema_diagnostics(doc)
    if diagnostics:
        return None, diagnostics
    try:
        definition = Definition.model_validate(doc.data)
    except ValidationError as err:
        return None, _model_diagnostics(doc, err)
    if checker is not None:
        diagnostics.extend(checker(doc, definition, catalog_names))
    return (None if errors_only(diagnostics) else definition), sorted(diagnostics)


def load_definition_text(text: str, file: str = "<string>", checker: Checker | None = None) -> CatalogEntry:
    """Load one definition from text; raise :class:`DefinitionInvalid` with every error."""
    doc = load_text(text, file)
    definition, diagnostics = compile_document(doc, checker)
    if definition is None:
        raise DefinitionInvalid(errors_only(diagnostics), text)
    return CatalogEntry(definition, doc.data, doc.sha256, file, None, tuple(diagnostics))


def read_document(path: str | Path) -> LoadedDocument:
    """Read and parse a definition file. An unreadable file (missing, no permission, not UTF-8) raises
    :class:`DefinitionInvalid` with an E002 diagnostic; a YAML syntax error one with E001, positioned on a
    line of the file (the parser may place the end of the text one line past it)."""
    try:
        return load_file(path)
    except UnicodeDecodeError as err:
        byte = err.object[err.start]
        message = f"cannot read the file: not UTF-8 text (byte {byte:#04x} at offset {err.start})"
        raise DefinitionInvalid([Diagnostic(str(path), 1, 1, "E002", message)]) from None
    except OSError as err:
        message = f"cannot read the file: {err.strerror or err}"
        raise DefinitionInvalid([Diagnostic(str(path), 1, 1, "E002", message)]) from None
    except YamlSyntaxError as err:
        lines = (err.text or "").splitlines() or [""]
        fixed = []
        for d in err.diagnostics:
            line = min(max(d.line, 1), len(lines))
            col = min(max(d.col, 1), len(lines[line - 1]) + 1)
            fixed.append(Diagnostic(d.file, line, col, d.code, d.message, d.severity, d.json_path))
        raise YamlSyntaxError(fixed, err.text) from None


def git_commit(folder: Path) -> str | None:
    """The HEAD commit of the repository holding ``folder``, if any."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def definition_files(folder: Path) -> list[Path]:
    return sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")])


@dataclass
class Catalog:
    """Valid definitions by name, plus the diagnostics of files that failed."""

    entries: dict[str, CatalogEntry] = field(default_factory=dict)
    invalid: dict[str, DefinitionInvalid] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path, checker: Checker | None = None) -> Catalog:
        """Load every ``*.yaml``/``*.yml`` under ``folder``."""
        root = Path(folder)
        catalog = cls()
        commit = git_commit(root) if root.exists() else None
        docs: list[LoadedDocument] = []
        for path in definition_files(root) if root.exists() else []:
            try:
                docs.append(read_document(path))
            except DefinitionInvalid as err:
                catalog.invalid[str(path)] = err
        names = frozenset(
            d.data["name"] for d in docs if isinstance(d.data, dict) and isinstance(d.data.get("name"), str)
        )
        for doc in docs:
            definition, diagnostics = compile_document(doc, checker, names)
            if definition is None:
                catalog.invalid[doc.file] = DefinitionInvalid(errors_only(diagnostics), doc.text)
                continue
            if definition.name in catalog.entries:
                other = catalog.entries[definition.name].file
                catalog.invalid[doc.file] = DefinitionInvalid(
                    [doc.diagnostic(
                        ("name",), "E110", f"definition name {definition.name!r} is also used by {other}"
                    )],
                    doc.text,
                )
                continue
            catalog.entries[definition.name] = CatalogEntry(
                definition, doc.data, doc.sha256, doc.file, commit, tuple(diagnostics)
            )
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
    """Every activity name a definition (as data) calls, compensations included, in document order."""
    for mapping in _mappings(data):
        name = mapping.get("activity")
        if isinstance(name, str):
            yield name


def _mappings(data: Any) -> Iterator[dict[Any, Any]]:
    """Every mapping in ``data``, each before the ones nested in it."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _mappings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _mappings(value)
