"""The one compile pipeline: load -> validate -> build -> check, for every user of definitions.

::

    load      ruamel.yaml with positions              (:mod:`.loader`;   E001/E002)
    validate  the published JSON Schema               (:mod:`.validate`; E1xx)
    build     the pydantic models                     (:mod:`.models`;   E100)
    check     the semantic checks, activities against the registry when one is given (:mod:`.lint`)

The catalog (and through it the engine, the worker and the HTTP service), ``tdsl lint``, offline runs and
the tests all compile here, so a definition the engine accepts is one the linter accepts with the same
activities, and the other way round. Every phase yields diagnostics; :func:`compile_document` gathers them
into a :class:`Compiled`. The one option is the linter's ``check_invalid``: run the semantic checks even when
the schema or the models reject the document (so one run reports a misspelt key and an unknown activity
together), dropping semantic diagnostics inside the parts already rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .diagnostics import DefinitionRejected, Diagnostic, errors_only
from .lint.context import ActivityLookup
from .lint.semantic import semantic_diagnostics
from .loader import LoadedDocument, load_file, load_text
from .models import Definition
from .source_map import TOP_LEVEL, SourceMap, step_paths
from .validate import schema_diagnostics

__all__ = [
    "Compiled",
    "compile_data",
    "compile_document",
    "compile_documents",
    "compile_text",
    "definition_files",
    "model_diagnostics",
    "outside_folder",
    "read_document",
]


@dataclass(frozen=True)
class Compiled:
    """One compiled document: its definition (``None`` when it has errors) and every diagnostic, sorted."""

    doc: LoadedDocument
    definition: Definition | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def name(self) -> str | None:
        """The definition's ``name`` when the document has one (known even when the definition is refused)."""
        return _name(self.doc)

    @property
    def errors(self) -> list[Diagnostic]:
        return errors_only(self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def invalid(self) -> DefinitionRejected:
        """The errors as the exception the catalog keeps and :meth:`require` raises."""
        return DefinitionRejected(self.errors, self.doc.text)

    def require(self) -> Definition:
        """The definition; :class:`DefinitionRejected` with every error when it has some."""
        if self.definition is None:
            raise self.invalid()
        return self.definition

    def source_map(self, file: str | None = None) -> SourceMap | None:
        """Step path -> line of every step (see :mod:`.source_map`), naming ``file`` (default: the doc's);
        ``None`` for text without a file (named like ``<string>``): there is no file to point at."""
        doc = self.doc
        name = file if file is not None else doc.file
        if name.startswith("<"):
            return None
        lines: dict[str, int] = {}
        for json_path, path in step_paths(doc.data):
            lines.setdefault(path, doc.position(json_path)[0])
        for key in TOP_LEVEL:
            if isinstance(doc.data, dict) and key in doc.data:
                lines.setdefault(key, doc.position((key,), key=True)[0])
        return {"file": name, "lines": lines}


def model_diagnostics(doc: LoadedDocument, err: ValidationError) -> Iterator[Diagnostic]:
    """The model's validation errors, each at the deepest part of its location present in the document."""
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
        yield doc.diagnostic(tuple(real), "E100", item["msg"])


def _build(doc: LoadedDocument) -> tuple[Definition | None, list[Diagnostic]]:
    try:
        return Definition.model_validate(doc.data), []
    except ValidationError as err:
        return None, list(model_diagnostics(doc, err))


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith((f"{parent}.", f"{parent}["))


def _outside(semantic: Iterable[Diagnostic], rejected: Sequence[Diagnostic]) -> Iterator[Diagnostic]:
    """Semantic diagnostics not inside a part the schema or the models rejected. A missing key (E103) says
    nothing about what is present; other errors make their subtree suspect."""
    blocked = [(d.json_path, d.code != "E103") for d in rejected]
    for found in semantic:
        if not any(_under(found.json_path, where) if subtree else found.json_path == where
                   for where, subtree in blocked):
            yield found


def compile_document(
    doc: LoadedDocument,
    activities: ActivityLookup | None = None,
    catalog_names: frozenset[str] | None = None,
    *,
    check_invalid: bool = False,
) -> Compiled:
    """Validate, build and check a loaded document.

    Without ``activities`` activity names are not checked; without ``catalog_names`` child definitions are
    not. With ``check_invalid`` the semantic checks also run on a document the schema or models reject.
    """
    rejected = list(schema_diagnostics(doc))
    definition: Definition | None = None
    if not rejected:
        definition, rejected = _build(doc)
    semantic: Iterable[Diagnostic] = ()
    if definition is not None or check_invalid:
        semantic = _outside(semantic_diagnostics(doc, activities, catalog_names), rejected)
    diagnostics = tuple(sorted([*rejected, *semantic]))
    if errors_only(diagnostics):
        definition = None
    return Compiled(doc, definition, diagnostics)


def compile_text(
    text: str,
    file: str = "<string>",
    activities: ActivityLookup | None = None,
    catalog_names: frozenset[str] | None = None,
    *,
    check_invalid: bool = False,
) -> Compiled:
    """Load and compile a definition given as YAML text (:class:`~.diagnostics.YamlSyntaxError` when it
    does not parse)."""
    return compile_document(load_text(text, file), activities, catalog_names, check_invalid=check_invalid)


def compile_data(
    data: Any,
    file: str = "<definition>",
    activities: ActivityLookup | None = None,
    catalog_names: frozenset[str] | None = None,
) -> Compiled:
    """Compile a definition given as plain data (no source text, so every diagnostic is at line 1)."""
    return compile_document(LoadedDocument(file, "", data), activities, catalog_names)


def outside_folder(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` (found in ``folder``) resolves outside ``folder``: a symbolic link, or a file under a
    linked folder, pointing elsewhere."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return True
    return False


def read_document(path: str | Path, folder: str | Path | None = None) -> LoadedDocument:
    """Read and parse a definition file. An unreadable file (missing, no permission, not UTF-8) raises
    :class:`DefinitionRejected` with an E002 diagnostic; a YAML syntax error one with E001, positioned on a
    line of the file (the parser may place the end of the text one line past it). With ``folder`` (the
    definitions folder the file was found in), a file that resolves outside it is refused unread (E005):
    a link must not make the service, or a lint message, show the content of a file elsewhere."""
    from .diagnostics import YamlSyntaxError

    if folder is not None and outside_folder(path, folder):
        message = f"the file is a symbolic link that resolves outside {folder}: it is not read"
        raise DefinitionRejected([Diagnostic(str(path), 1, 1, "E005", message)])
    try:
        return load_file(path)
    except UnicodeDecodeError as err:
        byte = err.object[err.start]
        message = f"cannot read the file: not UTF-8 text (byte {byte:#04x} at offset {err.start})"
        raise DefinitionRejected([Diagnostic(str(path), 1, 1, "E002", message)]) from None
    except OSError as err:
        message = f"cannot read the file: {err.strerror or err}"
        raise DefinitionRejected([Diagnostic(str(path), 1, 1, "E002", message)]) from None
    except YamlSyntaxError as err:
        lines = (err.text or "").splitlines() or [""]
        fixed = []
        for d in err.diagnostics:
            line = min(max(d.line, 1), len(lines))
            col = min(max(d.col, 1), len(lines[line - 1]) + 1)
            fixed.append(Diagnostic(d.file, line, col, d.code, d.message, d.severity, d.json_path))
        raise YamlSyntaxError(fixed, err.text) from None


TEST_FILE_SUFFIXES = (".test.yaml", ".test.yml")
"""Definition test files (``tdsl test``) live beside the definitions and are no definitions."""


def definition_files(folder: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``folder`` but test files (``*.test.yaml``), sorted."""
    found = [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]
    return sorted(path for path in found if not path.name.endswith(TEST_FILE_SUFFIXES))


def _name(doc: LoadedDocument) -> str | None:
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    return name if isinstance(name, str) else None


def compile_documents(
    docs: Sequence[LoadedDocument],
    activities: ActivityLookup | None = None,
    known_names: Iterable[str] = (),
    *,
    check_invalid: bool = False,
) -> Iterator[Compiled]:
    """Compile documents that form one catalog: child definitions may name any of them (or ``known_names``),
    and a name belongs to the first document that uses it (later ones get E110)."""
    owners: dict[str, str] = {}
    for doc in docs:
        name = _name(doc)
        if name is not None:
            owners.setdefault(name, doc.file)
    names = frozenset(known_names) | frozenset(owners)
    for doc in docs:
        try:
            compiled = compile_document(doc, activities, names, check_invalid=check_invalid)
        except (RecursionError, MemoryError) as err:
            # one definition too big to check must not take the others (and the service) down with it
            why = "nested too deeply" if isinstance(err, RecursionError) else "too large"
            refused = doc.diagnostic((), "E003", f"the definition is {why} to check")
            compiled = Compiled(doc, None, (refused,))
        name = _name(doc)
        if name is not None and owners[name] != doc.file:
            message = f"definition name {name!r} is also used by {owners[name]}"
            clash = doc.diagnostic(("name",), "E110", message)
            compiled = Compiled(doc, None, tuple(sorted([*compiled.diagnostics, clash])))
        yield compiled
