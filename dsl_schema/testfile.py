"""Definition test files (``*.test.yaml``): their JSON Schema, loading with positions, and checks.

A test file names a definition and lists cases (input, activity mocks, signals/updates/queries at virtual
times, expectations); ``tdsl test`` runs them offline. The published schema is ``test.schema.json`` beside the
definitions' own; a file points editors at it with a modeline::

    # yaml-language-server: $schema=../../dsl_schema/test.schema.json

Problems are reported like lint errors, with ``file:line:col`` (:class:`~.diagnostics.Diagnostic`): the schema
codes of definitions (``E100``-``E105``) and these:

* ``T201`` two cases with the same name;
* ``T202`` a mock says more than one of ``returns``, ``error``, ``sequence``, ``python``;
* ``T203`` a time or duration that does not parse;
* ``T204`` a ``start_time`` that is not an ISO-8601 timestamp with a time zone;
* ``T205`` an update or query expects both a result and a failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from . import validate
from .diagnostics import DefinitionRejected, Diagnostic
from .durations import DurationError, parse_duration
from .loader import JsonPath, LoadedDocument, load_file, load_text
from .validate import SchemaValidator, inline_refs

TEST_SCHEMA_FILE = "test.schema.json"
TEST_SUFFIX = ".test.yaml"
"""Test files are found by this suffix."""
DEFAULT_START_TIME = "2030-01-01T00:00:00+00:00"
"""Where the virtual clock starts unless a file or case says otherwise (fixed, so outputs that contain
``workflow.now`` are the same on every run)."""

MOCK_BEHAVIOURS = ("returns", "error", "sequence", "python")


@cache
def schema_of_test_files() -> dict[str, Any]:
    """The published JSON Schema of test files."""
    text = resources.files(__package__).joinpath(TEST_SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return SchemaValidator(inline_refs(schema_of_test_files()))


@dataclass
class TestFile:
    """A loaded, checked test file: its document (data and positions) and its cases."""

    __test__ = False  # not a pytest test class

    doc: LoadedDocument

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def definition(self) -> str:
        return str(self.doc.data["definition"])

    @property
    def cases(self) -> list[dict[str, Any]]:
        return list(self.doc.data["cases"])

    def position(self, path: JsonPath) -> tuple[int, int]:
        return self.doc.position(path)


def schema_diagnostics(doc: LoadedDocument) -> list[Diagnostic]:
    """Every violation of the test file schema in ``doc``, positioned at the offending node."""
    return validate.schema_diagnostics(doc, _validator())


def _durations(doc: LoadedDocument) -> Iterator[Diagnostic]:
    data = doc.data

    def check(value: Any, path: JsonPath) -> Iterator[Diagnostic]:
        if value is None:
            return
        try:
            parse_duration(value)
        except DurationError as err:
            yield doc.diagnostic(path, "T203", str(err))

    def mocks(table: Any, path: JsonPath) -> Iterator[Diagnostic]:
        for name, mock in (table or {}).items():
            yield from check(mock.get("delay"), (*path, name, "delay"))
            for index, attempt in enumerate(mock.get("sequence") or []):
                yield from check(attempt.get("delay"), (*path, name, "sequence", index, "delay"))

    yield from mocks(data.get("mocks"), ("mocks",))
    for index, case in enumerate(data["cases"]):
        here: JsonPath = ("cases", index)
        yield from mocks(case.get("mocks"), (*here, "mocks"))
        yield from check(case.get("cancel_at"), (*here, "cancel_at"))
        yield from check((case.get("expect") or {}).get("elapsed"), (*here, "expect", "elapsed"))
        for kind in ("signals", "updates", "queries"):
            for number, entry in enumerate(case.get(kind) or []):
                yield from check(entry["at"], (*here, kind, number, "at"))


def _semantic_diagnostics(doc: LoadedDocument) -> list[Diagnostic]:
    data = doc.data
    found: list[Diagnostic] = []
    names: dict[str, int] = {}
    for index, case in enumerate(data["cases"]):
        name = case["name"]
        if name in names:
            found.append(doc.diagnostic(("cases", index, "name"), "T201",
                                        f"case {name!r} is already defined (case {names[name] + 1})"))
        names.setdefault(name, index)
    tables: list[tuple[JsonPath, Any]] = [(("mocks",), data.get("mocks"))]
    tables += [(("cases", i, "mocks"), case.get("mocks")) for i, case in enumerate(data["cases"])]
    for path, table in tables:
        for activity, mock in (table or {}).items():
            said = [key for key in MOCK_BEHAVIOURS if key in mock]
            if len(said) > 1:
                found.append(doc.diagnostic((*path, activity), "T202",
                                            f"mock of {activity!r} says {' and '.join(said)}: say one"))
    starts: list[tuple[JsonPath, Any]] = [(("start_time",), data.get("start_time"))]
    starts += [(("cases", i, "start_time"), case.get("start_time")) for i, case in enumerate(data["cases"])]
    for path, text in starts:
        if text is not None and parse_start_time(text) is None:
            message = f"{text!r} is not an ISO-8601 timestamp with a time zone"
            found.append(doc.diagnostic(path, "T204", message))
    for index, case in enumerate(data["cases"]):
        for kind in ("updates", "queries"):
            for number, entry in enumerate(case.get(kind) or []):
                failures = [key for key in ("rejected", "failed") if entry.get(key) not in (None, False)]
                if "result" in entry and failures:
                    found.append(doc.diagnostic(("cases", index, kind, number), "T205",
                                                f"expects a result and {failures[0]}: say one"))
    found.extend(_durations(doc))
    return sorted(found)


def parse_start_time(text: str) -> datetime | None:
    """``text`` as a timezone-aware timestamp, or None."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def check_document(doc: LoadedDocument) -> TestFile:
    """Check a loaded test file; raise :class:`DefinitionRejected` with every problem."""
    problems = schema_diagnostics(doc)
    if not problems:
        problems = _semantic_diagnostics(doc)
    if problems:
        raise DefinitionRejected(problems, doc.text)
    return TestFile(doc)


def load_test_text(text: str, file: str = "<string>") -> TestFile:
    """Parse and check a test file given as text (:class:`DefinitionRejected` with positions)."""
    return check_document(load_text(text, file))


def load_test_file(path: str | Path) -> TestFile:
    """Read, parse and check a test file (:class:`DefinitionRejected` with positions)."""
    return check_document(load_file(path))


def find_test_files(paths: list[str | Path]) -> list[Path]:
    """The test files in ``paths`` (files as given, folders searched for ``*.test.yaml``), sorted and once
    each; raises ``FileNotFoundError`` for a path that does not exist."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{raw}: no such file or folder")
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)
