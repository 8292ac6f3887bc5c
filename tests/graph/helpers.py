"""What the graph tests share: compiling a definition from YAML text into its graph, and reading edges."""

from __future__ import annotations

import textwrap

from tdsl.dsl_schema.compile import compile_text
from tdsl.dsl_schema.graph import Graph, build_graph


def graph_of(steps: str, **top: str) -> Graph:
    """The graph of a definition named ``t`` with these steps (YAML, indented as a list under ``steps:``),
    compiled by the one pipeline first (so every case is a valid definition)."""
    extra = "".join(
        f"{key}:\n{textwrap.indent(textwrap.dedent(value), '  ')}\n" for key, value in top.items()
    )
    text = f"name: t\n{extra}steps:\n{textwrap.indent(textwrap.dedent(steps), '  ')}"
    compiled = compile_text(text)
    compiled.require()
    return build_graph(compiled.doc.data)


def edges(graph: Graph) -> set[tuple[str, str, str]]:
    """(source, target, label) of every edge."""
    return {(edge.source, edge.target, edge.label) for edge in graph.edges}


def styled(graph: Graph, style: str) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.label) for edge in graph.edges if edge.style == style}
