"""YAML that the parser reads but cannot turn into data is reported like a syntax error, where it is (the
property tests found each of these crashing the loader)."""

from __future__ import annotations

import pytest

from tdsl.dsl_schema.lint import lint_text

CASES = [
    ("name: x\nsteps:\n  - wait: !!int abc\n", "def.yaml:3:11: E001 YAML error: 'abc' is not a valid int "
     "(invalid literal for int() with base 10: 'abc')"),
    ("name: x\n? complex:\n    - a\n: 1\n",
     "def.yaml:2:3: E001 YAML error: a mapping key must be a plain value, not a list or mapping"),
    ("[" * 3000 + "]" * 3000 + "\n", "def.yaml:1:65: E003 the document is nested more than 64 levels deep"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=["bad tag", "complex key", "deep"])
def test_unloadable_yaml_is_an_e001_with_its_position(text: str, expected: str) -> None:
    assert [d.format() for d in lint_text(text, "def.yaml")] == [expected]


def test_a_date_that_does_not_exist_stays_text_for_the_schema_to_judge() -> None:
    found = lint_text("name: 2030-13-45\nsteps: [{wait: 1}]\n", "def.yaml")
    assert [d.format() for d in found] == [
        "def.yaml:1:7: E100 '2030-13-45' is not a definition name "
        "(letters, digits, _, . and -; first a letter or _)"
    ]
