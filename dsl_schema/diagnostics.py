"""Diagnostics: one problem in a definition, with where it is.

::

    LanguageError (tdsl.errors)
    └── DefinitionRejected     a definition failed to compile (load, schema, models, checks); ``diagnostics``
        │                      lists every problem
        └── YamlSyntaxError    the text is not YAML (one diagnostic)

A :class:`Diagnostic` renders as ``path:LINE:COL: CODE message`` and, with the source text, shows the
offending line and a caret under the column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from tdsl.errors import LanguageError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at ``line``:``col`` (1-based) of ``file``; ``json_path`` locates it in the document."""

    file: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = "error"
    json_path: str = field(default="$", compare=False)

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.code} {self.message}"

    def excerpt(self, text: str) -> str:
        """The source line and a caret under the column (empty when the line does not exist)."""
        lines = text.splitlines()
        if not 1 <= self.line <= len(lines):
            return ""
        source = lines[self.line - 1].expandtabs(1)
        return f"    {source}\n    {' ' * max(0, self.col - 1)}^"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "json_path": self.json_path,
        }


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


class DefinitionRejected(LanguageError):
    """A definition failed to compile; ``diagnostics`` holds every problem (with positions). The record's
    ``file`` and ``line`` are those of the first problem."""

    def __init__(self, diagnostics: list[Diagnostic], text: str | None = None) -> None:
        self.diagnostics = diagnostics
        self.text = text
        super().__init__(self.render())
        if diagnostics:
            self.file, self.line = diagnostics[0].file, diagnostics[0].line

    @property
    def record_details(self) -> Any:
        return {"diagnostics": [d.as_dict() for d in self.diagnostics]}

    def render(self) -> str:
        parts = []
        for diagnostic in self.diagnostics:
            parts.append(diagnostic.format())
            if self.text:
                excerpt = diagnostic.excerpt(self.text)
                if excerpt:
                    parts.append(excerpt)
        return "\n".join(parts)


class YamlSyntaxError(DefinitionRejected):
    """The text could not be parsed as YAML."""


