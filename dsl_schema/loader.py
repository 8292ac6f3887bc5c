"""Load YAML definitions with ruamel.yaml, keeping the line and column of every node.

:func:`load_text` returns a :class:`LoadedDocument`: the document as plain data (dicts, lists, scalars: what
the schema, the models and the workflow see) plus a source map from JSON paths (``("steps", 0, "args")``) to
1-based ``(line, col)`` positions of keys and values.

Limits (a file is refused with a code and a position, never loaded half-way): at most :data:`MAX_FILE_BYTES`
bytes (E003), at most :data:`MAX_ALIAS_VALUES` values added by aliases and :data:`MAX_VALUES` values in all
once aliases are expanded (E003: a few hundred bytes of nested aliases would otherwise expand to billions),
nesting at most :data:`MAX_NESTING` levels deep (E003). Tags (``!include``, ``!!python/object``) and an
alias used inside its own anchor are refused (E004) rather than silently dropped or turned into ``null``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.scanner import Scanner

from .diagnostics import Diagnostic, YamlSyntaxError

JsonPath = tuple[str | int, ...]

MAX_FILE_BYTES = 2_000_000
"""Bytes of one definition file."""
MAX_VALUES = 1_000_000
"""Values (mappings, lists, scalars) of one document, aliases expanded."""
MAX_ALIAS_VALUES = 100_000
"""Values aliases may add to a document (each use of an alias adds a copy of its anchor's value)."""
MAX_NESTING = 64
"""Levels of mappings and lists inside each other."""

# YAML forbids these characters anywhere in a stream (C0 controls but tab and line breaks, DEL, C1 but NEL,
# surrogates, U+FFFE/U+FFFF); the reader reports them by offset only.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


class LoadRefused(Exception):
    """A document over a loader limit (E003) or with YAML the language does not accept (E004)."""

    def __init__(self, code: str, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.code, self.line, self.col, self.message = code, line, col, message


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


    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # ruamel.yaml turns an alias used inside its own anchor into null; refuse it where the anchor is
        if node not in self.constructed_objects and node in self.recursive_objects:
            where = node.start_mark
            raise LoadRefused("E004", where.line + 1, where.column + 1,
                              "an alias is used inside its own anchor (a recursive alias)")
        return super().construct_object(node, deep)

    def refuse_tag(self, node: Any) -> Any:
        where = node.start_mark
        tag = str(getattr(node.tag, "value", node.tag)).replace("tag:yaml.org,2002:", "!!")
        raise LoadRefused("E004", where.line + 1, where.column + 1, f"YAML tag {tag} is not accepted "
                          "(definitions hold plain data: no includes, no language objects)")


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor(None, _Constructor.refuse_tag)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    # Positions come from the nodes' marks; comments are never read (``# lint: ignore[...]`` is found in the
    # source lines). The plain scanner and parser skip the round-trip ones' comment gathering, which took
    # half of the load time of a large file.
    yaml.Scanner = Scanner
    yaml.Parser = Parser
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


def _node_position(node: Any) -> tuple[int, int]:
    try:
        return node.lc.line + 1, node.lc.col + 1
    except AttributeError:
        return 1, 1


def _check_expansion(root: Any) -> None:
    """Refuse a document whose aliases expand past the budget, or nested too deeply, before it is copied to
    plain data. Aliased values are shared objects: sizes are counted once per object (memoized), so this is
    linear in the text even for an alias bomb."""
    sizes: dict[int, int] = {}
    unique = 0
    pending: list[tuple[Any, int, bool]] = [(root, 1, False)]
    on_path: set[int] = set()
    while pending:
        node, depth, done = pending.pop()
        if not isinstance(node, CommentedMap | CommentedSeq):
            continue
        key = id(node)
        if done:
            children = node.values() if isinstance(node, CommentedMap) else node
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            on_path.discard(key)
            continue
        if key in sizes:
            continue
        if key in on_path:
            line, col = _node_position(node)
            raise LoadRefused("E004", line, col, "an alias is used inside its own anchor (a recursive alias)")
        if depth > MAX_NESTING:
            line, col = _node_position(node)
            message = f"the document is nested more than {MAX_NESTING} levels deep"
            raise LoadRefused("E003", line, col, message)
        on_path.add(key)
        children = list(node.values() if isinstance(node, CommentedMap) else node)
        unique += 1 + sum(1 for c in children if not isinstance(c, CommentedMap | CommentedSeq))
        pending.append((node, depth, True))
        pending.extend((child, depth + 1, False) for child in reversed(children))
    total = sizes.get(id(root), 1)
    if total - unique > MAX_ALIAS_VALUES or total > MAX_VALUES:
        line, col = _biggest_part(root, sizes)
        raise LoadRefused("E003", line, col, f"the document expands to {total:,} values through its aliases "
                          f"(aliases may add at most {MAX_ALIAS_VALUES:,}; at most {MAX_VALUES:,} in all)")


def _biggest_part(root: Any, sizes: dict[int, int]) -> tuple[int, int]:
    """The position of the top-level entry that expands the most (where to look for the alias bomb)."""
    if isinstance(root, CommentedMap) and root:
        key = max(root, key=lambda k: sizes.get(id(root[k]), 1))
        try:
            line, col = root.lc.key(key)
            return line + 1, col + 1
        except (KeyError, TypeError, AttributeError):
            pass
    return 1, 1


def _position_of(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


_INTERESTING = re.compile(r"[\[\]{},\"'#\n:|>-]")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'?", re.DOTALL)


def _too_deep_flow(text: str) -> int | None:
    """The offset of the first flow bracket (``[`` or ``{``) nested deeper than :data:`MAX_NESTING`, if any.

    ruamel.yaml's scanner takes time quadratic in the flow nesting (a few thousand ``[`` take seconds, the
    size limit allows hundreds of thousands), so this is found before it runs: a scan of the characters that
    can open, close or hide a flow collection (quotes, comments, block scalars), jumping over the others."""
    depth = 0
    node_start = True  # at a place where a node (and so a flow collection or a quoted scalar) may begin
    line_indent = 0
    position = 0
    size = len(text)
    while True:
        found = _INTERESTING.search(text, position)
        if found is None:
            return None
        at = found.start()
        char = text[at]
        if at > position and text[position:at].strip(" \t"):
            node_start = False  # plain text since the last interesting character
        position = at + 1
        following = text[at + 1] if at + 1 < size else "\n"
        if char == "\n":
            node_start = True
            line_indent = _indent(text, position)
        elif char == "#" and (at == 0 or text[at - 1] in " \t\n"):
            end = text.find("\n", at)
            position = size if end < 0 else end
        elif char in "\"'" and node_start:
            quoted = (_DOUBLE_QUOTED if char == '"' else _SINGLE_QUOTED).match(text, at)
            position = quoted.end() if quoted else size
            node_start = False
        elif char in "[{" and node_start:
            depth += 1
            if depth > MAX_NESTING:
                return at
        elif char in "]}" and depth > 0:
            depth -= 1
            node_start = False
        elif (char == "," and depth > 0) or (char == ":" and (following in " \t\n" or depth > 0)):
            node_start = True  # a flow entry or a mapping value follows
        elif char == "-" and node_start and following in " \t\n":
            pass
        elif char in "|>" and node_start and depth == 0:
            position = _after_block_scalar(text, at, line_indent)
            node_start = True
        else:
            node_start = False


def _indent(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] == " ":
        end += 1
    return end - start


def _after_block_scalar(text: str, at: int, indent: int) -> int:
    """The offset of the first line after the block scalar whose indicator is at ``at`` (its lines are
    blank or indented deeper than ``indent``, the indentation of the indicator's line)."""
    end = text.find("\n", at)
    while end >= 0:
        start = end + 1
        line_end = text.find("\n", start)
        line = text[start:] if line_end < 0 else text[start:line_end]
        if line.strip() and _indent(text, start) <= indent:
            return end
        end = line_end
    return len(text)


def _deep_block(text: str) -> tuple[int, int]:
    """Where block indentation first nests more than :data:`MAX_NESTING` levels (``(1, 1)`` if nowhere)."""
    indents: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        if len(indents) > MAX_NESTING:
            return number, indent + 1
    return 1, 1


def _refuse_early(text: str, file: str) -> None:
    """What needs no parse: the size of the text and characters YAML forbids (at their own position; the
    reader would place them at 1:1)."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        message = f"the file has more than {MAX_FILE_BYTES:,} bytes (at most {MAX_FILE_BYTES:,})"
        raise YamlSyntaxError([Diagnostic(file, 1, 1, "E003", message)], "")
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, col = _position_of(text, bad.start())
        message = f"YAML syntax error: control character U+{ord(bad.group()):04X} is not allowed in YAML"
        raise YamlSyntaxError([Diagnostic(file, line, col, "E001", message)], text)
    deep = _too_deep_flow(text)
    if deep is not None:
        line, col = _position_of(text, deep)
        message = f"the document is nested more than {MAX_NESTING} levels deep"
        raise YamlSyntaxError([Diagnostic(file, line, col, "E003", message)], text)


def load_text(text: str, file: str = "<string>") -> LoadedDocument:
    """Parse ``text``; raise :class:`YamlSyntaxError` with the position of a syntax error, or of a limit the
    document is over."""
    _refuse_early(text, file)
    doc = LoadedDocument(file=file, text=text, data=None)
    try:
        with warnings.catch_warnings():
            # YAML lets a document redefine an anchor (later aliases use the latest); ruamel.yaml warns on
            # stderr, which would garble `tdsl lint` output for a valid file.
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            node = _yaml().load(text)
        _check_expansion(node)
    except LoadRefused as err:
        raise YamlSyntaxError([Diagnostic(file, err.line, err.col, err.code, err.message)], text) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark is not None and "end of stream" in str(err.problem):
            mark = err.context_mark  # an unclosed quote or bracket: where it opens, not where the text ends
        line, col = _on_a_line(text, mark.line, mark.column) if mark is not None else (1, 1)
        problem = " ".join(str(p) for p in (err.context, err.problem) if p)
        diagnostic = Diagnostic(file, line, col, "E001", f"YAML syntax error: {problem}")
        raise YamlSyntaxError([diagnostic], text) from None
    except YAMLError as err:
        raise YamlSyntaxError([Diagnostic(file, 1, 1, "E001", f"YAML syntax error: {err}")], text) from None
    except RecursionError:
        # block nesting deep enough to exhaust the parser's recursion (flow nesting is refused before)
        line, col = _deep_block(text)
        message = f"the document is nested more than {MAX_NESTING} levels deep"
        raise YamlSyntaxError([Diagnostic(file, line, col, "E003", message)], text) from None
    except (TypeError, ValueError, OverflowError) as err:
        # ruamel fails this way on a few documents (``!!int abc``, a key that is a mapping holding a list,
        # nesting deeper than Python's recursion limit); report them like syntax errors, where they are.
        line, col, problem = _unloadable(text, err)
        raise YamlSyntaxError([Diagnostic(file, line, col, "E001", f"YAML error: {problem}")], text) from None
    doc.value_positions[()] = (1, 1)
    doc.data = _plain(node, (), doc)
    return doc


def load_file(path: str | Path) -> LoadedDocument:
    """Read and parse a definition file (a file over :data:`MAX_FILE_BYTES` is refused unread)."""
    file = Path(path)
    if file.stat().st_size > MAX_FILE_BYTES:
        message = f"the file has {file.stat().st_size:,} bytes (at most {MAX_FILE_BYTES:,})"
        raise YamlSyntaxError([Diagnostic(str(path), 1, 1, "E003", message)], "")
    return load_text(file.read_text(encoding="utf-8"), str(path))
