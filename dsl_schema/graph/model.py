"""The graph of a definition: nodes and edges, independent of the text format it is written in."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["STATES", "Edge", "Graph", "Node"]

STATES = ("completed", "running", "failed", "skipped", "compensated")
"""The states a run overlay gives nodes, in the order their styles are declared."""


@dataclass(frozen=True)
class Node:
    """One node: ``id`` is valid in Mermaid and DOT and stable for the same definition; ``lines`` are its
    label (first line the step's name); ``path`` the step's run-time path (``None`` for the start, end,
    decision, join and compensation nodes); ``role`` what it is (``step``, ``if``, ``join``, ``compensate``,
    ``start``, ``end``, ``failed``)."""

    id: str
    lines: tuple[str, ...]
    shape: str = "box"
    kind: str | None = None
    path: str | None = None
    role: str = "step"


@dataclass(frozen=True)
class Edge:
    """An edge: ``style`` is ``solid``, ``dotted`` (a skip or a loop's back-edge) or ``dashed`` (a
    compensation)."""

    source: str
    target: str
    label: str = ""
    style: str = "solid"


@dataclass
class Graph:
    """A definition's flowchart; ``states`` maps node ids to a run state (see :data:`STATES`)."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        """The node with this id (``KeyError`` when there is none)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def by_path(self) -> dict[str, Node]:
        """The step nodes by their run-time path."""
        return {node.path: node for node in self.nodes if node.path is not None and node.role == "step"}

    def edges_from(self, node_id: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == node_id]

    def edges_to(self, node_id: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.target == node_id]
