"""What every family of checks shares: the document, its outline, the registry, and positioned diagnostics.

A family of checks is a generator: ``def check(ctx: LintContext) -> Iterator[Diagnostic]`` yields each
problem it finds as ``yield ctx.at(path, code, message)``; nothing is collected in the context (it holds only
facts one family gathers for a later one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..diagnostics import Diagnostic
from ..loader import JsonPath, LoadedDocument, json_path
from ..suggest import closest_name
from .codes import severity_of
from .outline import Outline

_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")


class ActivityLookup(Protocol):
    """What the linter needs of an activity registry (``tdsl.activities.registry.ActivityRegistry`` fits)."""

    def function(self, name: str) -> Callable[..., Any] | None: ...

    def names(self) -> list[str]: ...


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, else ``""``."""
    close = closest_name(name, candidates)
    return f"; did you mean {close!r}?" if close is not None else ""


def value_at(data: Any, path: JsonPath) -> Any:
    """The value at ``path`` in ``data`` (``None`` when absent)."""
    node = data
    for part in path:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_list or (isinstance(node, dict) and part in node)):
            return None
        node = node[part]
    return node


@dataclass
class LintContext:
    """One definition being checked. Families of checks read it and call :meth:`report`."""

    doc: LoadedDocument
    outline: Outline
    registry: ActivityLookup | None = None
    catalog_names: frozenset[str] | None = None
    # Facts the expression checks gather for later families (signals and updates).
    signals_read: dict[str, list[tuple[JsonPath, tuple[str, ...]]]] = field(default_factory=dict)
    vars_read: set[str] = field(default_factory=set)
    whole_read: set[str] = field(default_factory=set)  # "vars"/"signals" read as a whole
    _lines: list[str] | None = None

    @property
    def data(self) -> Any:
        return self.doc.data

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.doc.text.splitlines()
        return self._lines

    def at(self, path: JsonPath, code: str, message: str, *, key: bool = False,
           needles: Iterable[str] = ()) -> Diagnostic:
        """A diagnostic at ``path`` (its key when ``key``); with ``needles``, at the first of them found in
        the value's source text (so the caret points at ``steps.x`` inside an expression)."""
        line, col = self.locate(path, key=key, needles=needles)
        return Diagnostic(self.doc.file, line, col, code, message, severity_of(code), json_path(path))

    def locate(self, path: JsonPath, *, key: bool = False, needles: Iterable[str] = ()) -> tuple[int, int]:
        # A null value has no node of its own: ruamel places it at the next token, so use the key.
        use_key = key or (path in self.doc.key_positions and value_at(self.data, path) is None)
        line, col = self.doc.position(path, key=use_key)
        for needle in needles:
            found = self._search(line, col, needle)
            if found is not None:
                line, col = found
                break
        return self._clamp(line, col)

    def _search(self, line: int, col: int, needle: str) -> tuple[int, int] | None:
        """Find ``needle`` in the scalar starting at ``line``:``col`` (its line, or a block scalar's)."""
        lines = self.lines
        if not needle or not 1 <= line <= len(lines):
            return None
        first = lines[line - 1]
        at = first.find(needle, col - 1)
        if at >= 0:
            return line, at + 1
        if not _BLOCK_SCALAR.match(first[col - 1:].strip()):
            return None
        indent = len(first) - len(first.lstrip())
        for number in range(line + 1, len(lines) + 1):
            text = lines[number - 1]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                return None
            at = text.find(needle)
            if at >= 0:
                return number, at + 1
        return None

    def _clamp(self, line: int, col: int) -> tuple[int, int]:
        lines = self.lines
        if not lines:
            return 1, 1
        line = min(max(line, 1), len(lines))
        return line, min(max(col, 1), len(lines[line - 1]) + 1)
