"""Render a :class:`~tdsl.dsl_schema.lint.runner.LintReport` as text, JSON or GitHub Actions annotations."""

from __future__ import annotations

import json

from ..diagnostics import Diagnostic
from .runner import LintReport

FORMATS = ("text", "json", "github")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: LintReport) -> str:
    """``"2 errors, 1 warning in 3 files"`` (or that the files have no problems)."""
    files = _plural(len(report.files), "file")
    if not report.diagnostics:
        return f"{files} checked: no problems"
    return f"{_plural(len(report.errors), 'error')}, {_plural(len(report.warnings), 'warning')} in {files}"


def as_text(report: LintReport) -> str:
    """``path:LINE:COL: CODE message`` per problem, each followed by its source line and a caret."""
    parts = []
    for diagnostic in report.diagnostics:
        parts.append(diagnostic.format())
        excerpt = diagnostic.excerpt(report.texts.get(diagnostic.file, ""))
        if excerpt:
            parts.append(excerpt)
    parts.append(summary(report))
    return "\n".join(parts)


def as_json(report: LintReport) -> str:
    """One JSON document: the files, counts and every diagnostic."""
    return json.dumps(
        {
            "files": report.files,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "diagnostics": [d.as_dict() for d in report.diagnostics],
        },
        indent=2,
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command that annotates the file at the problem."""
    command = "error" if diagnostic.severity == "error" else "warning"
    props = ",".join((
        f"file={_escape_property(diagnostic.file)}",
        f"line={diagnostic.line}",
        f"col={diagnostic.col}",
        f"title={_escape_property(diagnostic.code)}",
    ))
    return f"::{command} {props}::{_escape_data(f'{diagnostic.code} {diagnostic.message}')}"


def as_github(report: LintReport) -> str:
    """One ``::error``/``::warning`` annotation per problem."""
    return "\n".join(github_line(d) for d in report.diagnostics)


def render(report: LintReport, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    return {"text": as_text, "json": as_json, "github": as_github}[fmt](report)
