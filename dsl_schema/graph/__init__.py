"""Pictures of definitions: a flowchart of a definition's steps (``tdsl graph``, ``GET .../graph``).

:func:`build_graph` walks a definition (as plain data) by its step kinds' declarations into a :class:`Graph`;
:func:`render` writes it as Mermaid or DOT; :func:`overlay` lays a run's step states over it. See
``docs/GRAPHS.md``.
"""

from __future__ import annotations

from .build import build_graph, node_id
from .model import STATES, Edge, Graph, Node
from .overlay import RunTrace, overlay
from .render import FORMATS, render, render_dot, render_mermaid

__all__ = [
    "FORMATS",
    "STATES",
    "Edge",
    "Graph",
    "Node",
    "RunTrace",
    "build_graph",
    "node_id",
    "overlay",
    "render",
    "render_dot",
    "render_mermaid",
]
