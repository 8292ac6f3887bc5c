"""The linter: YAML syntax, the JSON Schema and semantic checks, each problem with a stable code and position.

::

    from tdsl.dsl_schema.lint import lint_paths, render
    report = lint_paths(["definitions"], load_modules(["tdsl.activities.examples"]))  # tdsl.activities
    print(render(report, "text")); raise SystemExit(report.exit_code)

Modules: :mod:`.codes` (the table of codes), :mod:`.outline` (steps and values in execution order, with their
scopes), :mod:`.exprs` (analysis of one expression), one ``check_*`` module per family of checks,
:mod:`.semantic` (all families, the ``check`` phase), :mod:`.runner` (files and folders), :mod:`.report`
(text, JSON and GitHub output). Files compile through :mod:`tdsl.dsl_schema.compile`, the pipeline the
catalog (and so the engine) uses too.
"""

from .codes import CODES, Code, severity_of
from .context import ActivityLookup
from .report import FORMATS, render, summary
from .runner import (
    LintPathError,
    LintReport,
    collect_files,
    definition_names,
    lint_document,
    lint_paths,
    lint_text,
)
from .semantic import semantic_diagnostics

__all__ = [
    "CODES",
    "FORMATS",
    "ActivityLookup",
    "Code",
    "LintPathError",
    "LintReport",
    "collect_files",
    "definition_names",
    "lint_document",
    "lint_paths",
    "lint_text",
    "render",
    "semantic_diagnostics",
    "severity_of",
    "summary",
]
