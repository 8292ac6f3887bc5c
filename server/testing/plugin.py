"""The pytest plugin (entry point ``pytest11``): ``pytest`` collects ``*.test.yaml`` files like ``tdsl test``.

Each case is an item (``definitions/tests/approval.test.yaml::approved``); a failing case shows the same
differences as ``tdsl test``; a file that cannot run (invalid, or naming an unknown definition) is a
collection error. A test file in ``<folder>/tests/`` tests the definitions of ``<folder>``; others use the
ini option ``tdsl_definitions`` (a folder, relative to the rootdir).

The plugin is loaded by every pytest run of an environment where the package is installed, so this module
imports only pytest: the definition language and the offline runner are imported when a test file is met.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .runner import Catalogs

SUFFIX = ".test.yaml"
_CATALOGS = pytest.StashKey["Catalogs"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "tdsl_definitions",
        "definitions folder for *.test.yaml files that are not in its tests/ folder",
        default=None,
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return DefinitionTestFile.from_parent(parent, path=file_path)
    return None


def _catalogs(config: pytest.Config) -> Catalogs:
    """One set of loaded catalogs per session (each definitions folder is compiled once)."""
    from .runner import Catalogs

    if _CATALOGS not in config.stash:
        folder = config.getini("tdsl_definitions")
        default = config.rootpath / folder if folder else None
        config.stash[_CATALOGS] = Catalogs(default)
    return config.stash[_CATALOGS]


class DefinitionTestFile(pytest.File):
    """A ``*.test.yaml`` file: its cases are the items."""

    def collect(self) -> Iterator[pytest.Item]:
        from tdsl.dsl_schema.diagnostics import DefinitionRejected

        from .runner import load_for_run

        try:
            test, catalog = load_for_run(self.path, _catalogs(self.config))
        except DefinitionRejected as err:
            raise self.CollectError(err.render()) from None
        except LookupError as err:
            raise self.CollectError(str(err)) from None
        for index, case in enumerate(test.cases):
            yield DefinitionTestCase.from_parent(
                self, name=case["name"], test=test, index=index, catalog=catalog
            )


class CaseFailed(Exception):
    """A case did not pass; the message is what ``tdsl test`` prints."""


class DefinitionTestCase(pytest.Item):
    """One case of a test file, run offline on virtual time."""

    def __init__(self, *, test: Any, index: int, catalog: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test
        self.index = index
        self.catalog = catalog

    def runtest(self) -> None:
        from .report import case_failure
        from .runner import run_case

        outcome = run_case(self.test, self.index, self.catalog)
        if not outcome.passed:
            raise CaseFailed(case_failure(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        line = self.test.position(("cases", self.index))[0]
        return self.path, line - 1, self.name
