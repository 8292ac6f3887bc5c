"""Test files: the published schema, and problems reported with file:line:col like lint errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tdsl.dsl_schema.catalog import Catalog
from tdsl.dsl_schema.diagnostics import DefinitionRejected
from tdsl.dsl_schema.testfile import find_test_files, load_test_file, load_test_text, schema_of_test_files

from .helpers import DEFINITIONS, EXAMPLE_TESTS, ROOT


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionRejected) as caught:
        load_test_text(text, "t.test.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_the_published_schema_is_valid_and_lives_beside_the_definitions_schema() -> None:
    Draft202012Validator.check_schema(schema_of_test_files())
    on_disk = json.loads((ROOT / "dsl_schema" / "test.schema.json").read_text())
    assert on_disk == schema_of_test_files()


def test_every_example_test_file_has_the_modeline_and_is_valid() -> None:
    files = find_test_files([EXAMPLE_TESTS])
    assert files
    for path in files:
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../dsl_schema/test.schema.json", path
        assert (path.parent / first.split("=", 1)[1]).resolve() == ROOT / "dsl_schema" / "test.schema.json"
        load_test_file(path)


def test_every_example_definition_has_a_test_file() -> None:
    tested = {load_test_file(path).definition for path in find_test_files([EXAMPLE_TESTS])}
    assert tested == set(Catalog.load(DEFINITIONS).names())


def test_test_files_are_not_taken_for_definitions() -> None:
    catalog = Catalog.load(DEFINITIONS)
    assert catalog.invalid == {}


def test_an_unknown_key_is_reported_where_it_is_with_a_suggestion() -> None:
    text = "definition: approval\ncases:\n  - name: a\n    expext: {status: completed}\n"
    assert problems(text) == [
        "t.test.yaml:4:5: E102 unknown key: expext; did you mean 'expect' instead of 'expext'?"
    ]


def test_wrong_types_and_missing_keys_are_reported_with_positions() -> None:
    text = (
        "definition: approval\n"
        "cases:\n"
        "  - name: a\n"
        "    signals:\n"
        "      - {name: approve}\n"
        "    expect:\n"
        "      status: done\n"
    )
    found = problems(text)
    assert "t.test.yaml:5:9: E103 'at' is a required property" in found
    assert any(line.startswith("t.test.yaml:7:15: E100 'done' is not one of") for line in found)


def test_semantic_problems_of_a_test_file() -> None:
    text = (
        "definition: approval\n"
        "mocks:\n"
        "  send: {returns: 1, error: {type: X}}\n"
        "cases:\n"
        "  - name: a\n"
        "    cancel_at: soon\n"
        "  - name: a\n"
        "    start_time: '2030-01-01T00:00:00'\n"
        "    queries:\n"
        "      - {at: 1h, name: status, result: pending, failed: true}\n"
    )
    found = problems(text)
    assert "t.test.yaml:3:9: T202 mock of 'send' says returns and error: say one" in found
    assert "t.test.yaml:7:11: T201 case 'a' is already defined (case 1)" in found
    assert "t.test.yaml:8:17: T204 '2030-01-01T00:00:00' is not an ISO-8601 timestamp with a time zone" \
        in found
    assert "t.test.yaml:10:9: T205 expects a result and failed: say one" in found
    assert any(line.startswith("t.test.yaml:6:16: T203 ") for line in found)


def test_yaml_syntax_errors_are_positioned() -> None:
    found = problems("definition: approval\ncases: [\n")
    assert found[0].startswith("t.test.yaml:2:9: E001 YAML syntax error")  # the end of the open list


def test_find_test_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.test.yaml").write_text("")
    (tmp_path / "a" / "x.yaml").write_text("")
    single = tmp_path / "y.test.yaml"
    single.write_text("")
    found = find_test_files([tmp_path / "a", single, tmp_path / "a"])
    assert found == [tmp_path / "a" / "x.test.yaml", single]
    with pytest.raises(FileNotFoundError):
        find_test_files([tmp_path / "missing"])
