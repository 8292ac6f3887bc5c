"""Definition tests: run the cases of ``*.test.yaml`` files offline on virtual time and report them.

* :mod:`.mocks` turns a file's activity mocks into callables;
* :mod:`.compare` compares expectations with what a run did (the paths of the differences);
* :mod:`.runner` runs cases (:func:`run_paths`, :func:`run_case`);
* :mod:`.report` renders results as text, JSON or JUnit XML;
* :mod:`.coverage` says which steps, branches and compensations the cases exercised;
* :mod:`.plugin` is the pytest plugin that collects the same files.

The file format and its loader are in :mod:`tdsl.dsl_schema.testfile`; docs/TESTING.md is the guide.
The public names are imported on first use: pytest loads the plugin in every run, and that must not import
the definition language or the interpreter.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["CaseResult", "TestReport", "run_case", "run_paths"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("tdsl.server.testing.runner"), name)
    raise AttributeError(f"module 'tdsl.server.testing' has no attribute {name!r}")
