"""Every case of the example test files (definitions/tests/) passes: the project's own pytest run executes
them here, one item per case, through the same runner as ``tdsl test`` (testpaths is ``tests``, so the
plugin does not collect them a second time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdsl.dsl_schema.testfile import TestFile, find_test_files
from tdsl.server.testing.report import case_failure, render
from tdsl.server.testing.runner import Catalogs, load_for_run, run_case, run_paths

from .helpers import DEFINITIONS, EXAMPLE_TESTS, ROOT

CATALOGS = Catalogs(DEFINITIONS)
LOADED = [load_for_run(path, CATALOGS) for path in find_test_files([EXAMPLE_TESTS])]
CASES = [(test, index, catalog) for test, catalog in LOADED for index in range(len(test.cases))]


@pytest.mark.parametrize(
    ("test", "index", "catalog"),
    CASES,
    ids=[f"{test.doc.file.rsplit('/', 1)[-1]}::{test.cases[index]['name']}" for test, index, _ in CASES],
)
def test_example_case(test: TestFile, index: int, catalog: object) -> None:
    outcome = run_case(test, index, catalog)  # type: ignore[arg-type]
    assert outcome.passed, case_failure(outcome)


def test_a_day_long_approval_case_takes_milliseconds() -> None:
    test, catalog = next((t, c) for t, c in LOADED if t.definition == "approval")
    index = next(i for i, case in enumerate(test.cases) if case["name"] == "times_out_after_24_hours")
    outcome = run_case(test, index, catalog)
    assert outcome.passed
    assert outcome.result is not None and outcome.result.elapsed == 24 * 3600


def test_the_examples_of_the_readme_and_the_guide_pass(tmp_path: Path) -> None:
    for doc in ("README.md", "docs/TESTING.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        block = text.split("```yaml\n# yaml-language-server: $schema=../../dsl_schema/test.schema.json\n")[1]
        path = tmp_path / f"{Path(doc).stem}.test.yaml"
        path.write_text(block.split("```")[0], encoding="utf-8")
        report = run_paths([path], definitions=DEFINITIONS)
        assert report.exit_code == 0, render(report, "text")
