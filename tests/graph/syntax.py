"""Structural checks of Mermaid and DOT text (no renderer is installed in CI): ids, quoting, brackets, and
every edge between declared nodes."""

from __future__ import annotations

import re

ID = r"[A-Za-z_][A-Za-z0-9_]*"
_OPENING = r"\(\(|\(\[|\[\[|\[/|\{\{|\[|\(|\{"
_CLOSING = r"\)\)|\]\)|\]\]|/\]|\}\}|\]|\)|\}"
_MERMAID_NODE = re.compile(rf'^    ({ID})({_OPENING})"([^"]*)"({_CLOSING})$')
_MERMAID_EDGE = re.compile(rf'^    ({ID}) (-->|-\.->)(\|"([^"|]*)"\|)? ({ID})$')
_PAIRS = {"((": "))", "([": "])", "[[": "]]", "[/": "/]", "{{": "}}", "[": "]", "(": ")", "{": "}"}


_NAMED = {"quot": '"', "lt": "<", "gt": ">"}


def mermaid_unescape(text: str) -> str:
    """A Mermaid label's text: entity codes back to characters."""
    return re.sub(r"#([0-9]+|quot|lt|gt);", lambda m: _NAMED.get(m[1]) or chr(int(m[1])), text)


def dot_unescape(text: str) -> str:
    """A quoted DOT string's text (without its quotes)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text)


def check_mermaid(text: str) -> tuple[set[str], list[tuple[str, str, str]]]:
    """Check Mermaid flowchart text line by line; return its node ids and edges (source, target, label as
    text)."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart TD"
    nodes: set[str] = set()
    found: list[tuple[str, str, str]] = []
    classes: set[str] = set()
    for line in lines[1:]:
        node = _MERMAID_NODE.match(line)
        edge = _MERMAID_EDGE.match(line)
        if node:
            node_id, opening, label, closing = node.groups()
            assert _PAIRS[opening] == closing, line
            assert node_id not in nodes, f"node {node_id} declared twice"
            assert node_id.lower() != "end"
            assert not re.search(r"#(?![0-9]+;|quot;|lt;|gt;)", label), f"unescaped # in {line}"
            assert "<" not in label.replace("<br/>", ""), line
            nodes.add(node_id)
        elif edge:
            source, _, _, label, target = edge.groups()
            assert source in nodes and target in nodes, f"edge between undeclared nodes: {line}"
            found.append((source, target, mermaid_unescape(label or "")))
        elif line.startswith("    linkStyle "):
            numbers = line.split()[1].split(",")
            assert all(0 <= int(n) < len(found) for n in numbers), line
        elif line.startswith("    classDef "):
            classes.add(line.split()[1])
        elif line.startswith("    class "):
            _, ids, name = line.split()
            assert name in classes, f"class {name} used before its classDef"
            assert set(ids.split(",")) <= nodes, line
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    return nodes, found


_DOT_STRING = r'"(?:[^"\\]|\\.)*"'
_DOT_NODE = re.compile(rf"^    ({ID}) \[(.*)\];$")
_DOT_EDGE = re.compile(rf"^    ({ID}) -> ({ID})( \[(.*)\])?;$")
_DOT_ATTRIBUTE = re.compile(rf"({ID})=({ID}|{_DOT_STRING}|[0-9]+)")


def _attributes(text: str) -> dict[str, str]:
    found = {}
    rest = text
    while rest:
        match = _DOT_ATTRIBUTE.match(rest)
        assert match, f"bad DOT attributes: {text!r}"
        found[match.group(1)] = match.group(2)
        rest = rest[match.end():]
        assert rest == "" or rest.startswith(", "), text
        rest = rest[2:]
    return found


def check_dot(text: str) -> tuple[set[str], list[tuple[str, str, str]]]:
    """Check DOT text line by line; return its node ids and edges (source, target, label)."""
    lines = text.rstrip("\n").split("\n")
    assert re.fullmatch(rf"digraph {_DOT_STRING} \{{", lines[0]), lines[0]
    assert lines[-1] == "}"
    nodes: set[str] = set()
    found: list[tuple[str, str, str]] = []
    for line in lines[1:-1]:
        if line.strip() in ("rankdir=TB;",) or re.fullmatch(r"    (node|edge) \[.*\];", line):
            continue
        edge = _DOT_EDGE.match(line)
        node = _DOT_NODE.match(line)
        if edge:
            source, target, _, attributes = edge.groups()
            assert source in nodes and target in nodes, line
            label = _attributes(attributes or "").get("label", '""')[1:-1]
            found.append((source, target, dot_unescape(label)))
        elif node:
            node_id, attributes = node.groups()
            assert "label" in _attributes(attributes), line
            assert node_id not in nodes
            nodes.add(node_id)
        else:
            raise AssertionError(f"unexpected DOT line: {line!r}")
    return nodes, found
