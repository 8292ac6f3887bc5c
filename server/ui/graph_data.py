"""A :class:`~tdsl.dsl_schema.graph.Graph` as JSON for the inspector page, which draws it as SVG itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tdsl.dsl_schema.graph import Graph, render_mermaid

__all__ = ["graph_json"]


def graph_json(graph: Graph, source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Nodes, edges and run states of ``graph``, plus its Mermaid text (the same as ``tdsl graph``). With a
    run's ``source`` map (``{"file", "lines": {step_path: line}}``) each step node carries its line."""
    lines = (source or {}).get("lines") or {}
    return {
        "name": graph.name,
        "file": (source or {}).get("file"),
        "nodes": [
            {
                "id": node.id,
                "lines": list(node.lines),
                "shape": node.shape,
                "kind": node.kind,
                "path": node.path,
                "role": node.role,
                "line": lines.get(node.path) if node.path is not None else None,
            }
            for node in graph.nodes
        ],
        "edges": [
            {"source": e.source, "target": e.target, "label": e.label, "style": e.style} for e in graph.edges
        ],
        "states": dict(graph.states),
        "mermaid": render_mermaid(graph),
    }
