"""Load YAML definitions with ruamel.yaml, keeping the line and column of every node.

:func:`load_text` returns a :class:`LoadedDocument`: the document as plain data (dicts, lists, scalars: what
the schema, the models and the workflow see) plus a source map from JSON paths (``("steps", 0, "args")``) to
1-based ``(line, col)`` positions of keys and values.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, YamlSyntaxError

JsonPath = tuple[str | int, ...]


@dataclass
class LoadedDocument:
    """A parsed definition file: ``data`` plus positions of its nodes."""

    file: str
    text: str
    data: Any
    value_positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def position(self, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` is (its key when ``key``), else the nearest enclosing node; ``(1, 1)`` at worst."""
        path = tuple(path)
        while True:
            table = self.key_positions if key else self.value_positions
            if path in table:
                return table[path]
            if not key and path in self.key_positions:
                return self.key_positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = False

    def diagnostic(self, path: JsonPath, code: str, message: str, severity: str = "error", *,
                   key: bool = False) -> Diagnostic:
        line, col = self.position(path, key=key)
        return Diagnostic(self.file, line, col, code, message, severity, json_path(path))  # type: ignore[arg-type]


def json_path(path: JsonPath) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


class _Constructor(RoundTripConstructor):
    """Round-trip construction where a date-like scalar that is no real date (``2030-13-45``) stays text
    (the schema then reports it where it is) instead of failing the load with a ``ValueError``."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def _key_text(key: Any) -> str:
    """Mapping keys become strings, as in JSON (``true:`` is ``"true"``, ``1:`` is ``"1"``)."""
    if isinstance(key, bool) or key is None:
        return "null" if key is None else str(key).lower()
    return str(key)


def _plain(node: Any, path: JsonPath, doc: LoadedDocument) -> Any:
    """Convert ruamel's round-trip nodes to plain data while recording positions (0-based -> 1-based)."""
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key in node:
            name = _key_text(key)
            child = (*path, name)
            try:
                kl, kc = node.lc.key(key)
                doc.key_positions[child] = (kl + 1, kc + 1)
                vl, vc = node.lc.value(key)
                doc.value_positions[child] = (vl + 1, vc + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            result[name] = _plain(node[key], child, doc)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            child = (*path, index)
            try:
                il, ic = node.lc.item(index)
                doc.value_positions[child] = (il + 1, ic + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            items.append(_plain(item, child, doc))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    # dates and other YAML types: keep their text so data stays JSON
    return str(node)


def _unloadable(text: str, err: BaseException) -> tuple[int, int, str]:
    """Where and why ``text`` cannot be constructed: the first key that is not a plain value, or the first
    value its tag cannot make (``(1, 1)`` with the error's own text when neither is found)."""
    if isinstance(err, RecursionError):
        return 1, 1, "the document is nested too deeply"
    yaml = _yaml()
    try:
        pending: list[Any] = [yaml.compose(text)]
    except (YAMLError, RecursionError):
        return 1, 1, str(err)
    while pending:
        node = pending.pop(0)
        if isinstance(node, MappingNode):
            for key, _ in node.value:
                if not isinstance(key, ScalarNode):
                    where = key.start_mark
                    problem = "a mapping key must be a plain value, not a list or mapping"
                    return where.line + 1, where.column + 1, problem
            pending[:0] = [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            pending[:0] = node.value
        elif isinstance(node, ScalarNode):
            try:
                yaml.constructor.construct_object(node)
            except (YAMLError, TypeError, ValueError, OverflowError) as bad:
                where, kind = node.start_mark, str(node.tag).rsplit(":", 1)[-1]
                return where.line + 1, where.column + 1, f"{node.value!r} is not a valid {kind} ({bad})"
    return 1, 1, str(err)


def _on_a_line(text: str, line: int, column: int) -> tuple[int, int]:
    """A 1-based position on a line of ``text`` for a 0-based mark. The end of the stream after a final
    newline is a line past the last one: point at the end of the last line instead, where the reader can see
    what was left open."""
    lines = text.splitlines()
    if line >= len(lines) and lines:
        return len(lines), len(lines[-1]) + 1
    return line + 1, column + 1


def load_text(text: str, file: str = "<string>") -> LoadedDocument:
    """Parse ``text``; raise :class:`YamlSyntaxError` with the position of a syntax error."""
    doc = LoadedDocument(file=file, text=text, data=None)
    try:
        with warnings.catch_warnings():
            # YAML lets a document redefine an anchor (later aliases use the latest); ruamel.yaml warns on
            # stderr, which would garble `tdsl lint` output for a valid file.
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            node = _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = _on_a_line(text, mark.line, mark.column) if mark is not None else (1, 1)
        problem = " ".join(str(p) for p in (err.context, err.problem) if p)
        diagnostic = Diagnostic(file, line, col, "E001", f"YAML syntax error: {problem}")
        raise YamlSyntaxError([diagnostic], text) from None
    except YAMLError as err:
        raise YamlSyntaxError([Diagnostic(file, 1, 1, "E001", f"YAML syntax error: {err}")], text) from None
    except (TypeError, ValueError, OverflowError, RecursionError) as err:
        # ruamel fails this way on a few documents (``!!int abc``, a key that is a mapping holding a list,
        # nesting deeper than Python's recursion limit); report them like syntax errors, where they are.
        line, col, problem = _unloadable(text, err)
        raise YamlSyntaxError([Diagnostic(file, line, col, "E001", f"YAML error: {problem}")], text) from None
    doc.value_positions[()] = (1, 1)
    doc.data = _plain(node, (), doc)
    return doc


def load_file(path: str | Path) -> LoadedDocument:
    """Read and parse a definition file."""
    file = Path(path)
    return load_text(file.read_text(encoding="utf-8"), str(path))
