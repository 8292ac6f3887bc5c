"""One fixture per diagnostic code, each showing the exact message and position; the table of codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tdsl.dsl_schema.lint import CODES, lint_paths

from .support import FIXTURES, ROOT, example_registry, expected_lines

FIXTURE_PATHS = sorted(FIXTURES.iterdir())


def _expectations(target: Path) -> list[str]:
    files = sorted(target.glob("*.yaml")) if target.is_dir() else [target]
    return [line for file in files for line in expected_lines(file)]


@pytest.mark.parametrize("target", FIXTURE_PATHS, ids=[p.name for p in FIXTURE_PATHS])
def test_fixture_reports_exactly_its_expected_lines(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    report = lint_paths([target.name], example_registry())
    assert [d.format() for d in report.diagnostics] == _expectations(target)


@pytest.mark.parametrize("target", FIXTURE_PATHS, ids=[p.name for p in FIXTURE_PATHS])
def test_fixture_is_named_after_its_code(target: Path) -> None:
    code = target.name.split("_", 1)[0]
    expected = _expectations(target)
    assert expected, f"{target.name} has no '# expect:' line"
    assert all(f": {code} " in line for line in expected)
    assert {CODES[code].severity} == {"warning" if code.startswith("W") else "error"}


def test_every_code_has_a_fixture() -> None:
    assert {p.name.split("_", 1)[0] for p in FIXTURE_PATHS} == set(CODES)


def test_the_docs_table_lists_every_code_with_its_severity() -> None:
    text = (ROOT / "docs" / "LINT_CODES.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([EW]\d{3})` \| (error|warning) \| (\w+) \| (.+) \|$", text, re.MULTILINE)
    assert rows == [(c.code, c.severity, c.family, c.summary) for c in CODES.values()]
