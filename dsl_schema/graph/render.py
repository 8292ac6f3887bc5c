"""Write a :class:`~.model.Graph` as Mermaid flowchart text or Graphviz DOT.

Mermaid renders in GitHub and GitLab Markdown (a fenced ``mermaid`` block); DOT renders with Graphviz. Labels
are quoted and escaped for each format, so quotes, brackets and ``{{ }}`` templates in a definition are text,
never syntax. A run's states (:attr:`Graph.states`) become Mermaid ``classDef``/``class`` lines or DOT fill
colours.
"""

from __future__ import annotations

from .model import STATES, Graph, Node

__all__ = ["FORMATS", "STATE_COLOURS", "render", "render_dot", "render_mermaid"]

FORMATS = ("mermaid", "dot")

STATE_COLOURS: dict[str, tuple[str, str]] = {
    "completed": ("#d4edda", "#2e7d32"),
    "running": ("#fff3cd", "#b08800"),
    "failed": ("#f8d7da", "#c62828"),
    "skipped": ("#eeeeee", "#9e9e9e"),
    "compensated": ("#e8dcf5", "#6a1b9a"),
}
"""Fill and stroke colour of each run state."""

COMPENSATE_COLOUR = "#c62828"

# Mermaid: the brackets around a quoted label give the shape.
_MERMAID_SHAPES = {
    "box": ("[", "]"),
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "diamond": ("{", "}"),
    "hexagon": ("{{", "}}"),
    "subroutine": ("[[", "]]"),
    "lean": ("[/", "/]"),
    "circle": ("((", "))"),
}
# DOT: (shape, style words) of each shape.
_DOT_SHAPES = {
    "box": ("box", ()),
    "round": ("box", ("rounded",)),
    "stadium": ("box", ("rounded",)),
    "diamond": ("diamond", ()),
    "hexagon": ("hexagon", ()),
    "subroutine": ("box", ("bold",)),
    "lean": ("parallelogram", ()),
    "circle": ("circle", ()),
}


# ---------------------------------------------------------------------------------------------- mermaid
def mermaid_text(text: str) -> str:
    """``text`` inside a quoted Mermaid label: quotes, ``#``, ``<``, ``>`` and ``|`` as entity codes (so
    nothing in it closes the label or is read as markup)."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in text)


_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "|": "#124;", "`": "#96;"}


def _mermaid_node(node: Node) -> str:
    opening, closing = _MERMAID_SHAPES.get(node.shape, ("[", "]"))
    label = "<br/>".join(mermaid_text(line) for line in node.lines)
    return f'    {node.id}{opening}"{label}"{closing}'


def render_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (top to bottom)."""
    lines = ["flowchart TD"]
    lines += [_mermaid_node(node) for node in graph.nodes]
    compensations = []
    for number, edge in enumerate(graph.edges):
        arrow = "-.->" if edge.style in ("dotted", "dashed") else "-->"
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
        if edge.style == "dashed":
            compensations.append(str(number))
    if compensations:
        style = f"stroke:{COMPENSATE_COLOUR},stroke-dasharray:6 3"
        lines.append(f"    linkStyle {','.join(compensations)} {style}")
    used = [state for state in STATES if state in graph.states.values()]
    for state in used:
        fill, stroke = STATE_COLOURS[state]
        dash = ",stroke-dasharray:4 2" if state == "skipped" else ""
        lines.append(f"    classDef {state} fill:{fill},stroke:{stroke},stroke-width:2px{dash}")
    for state in used:
        ids = [node.id for node in graph.nodes if graph.states.get(node.id) == state]
        lines.append(f"    class {','.join(ids)} {state}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- dot
def dot_text(text: str) -> str:
    """``text`` inside a quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_dot(graph: Graph) -> str:
    """The graph in Graphviz DOT (top to bottom)."""
    lines = [
        f'digraph "{dot_text(graph.name)}" {{',
        "    rankdir=TB;",
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in graph.nodes:
        label = "\\n".join(dot_text(line) for line in node.lines)
        shape, words = _DOT_SHAPES.get(node.shape, ("box", ()))
        style = list(words)
        attributes = [f"shape={shape}", f'label="{label}"']
        state = graph.states.get(node.id)
        if state is not None:
            fill, stroke = STATE_COLOURS[state]
            style += ["filled", *(["dashed"] if state == "skipped" else [])]
            attributes += [f'fillcolor="{fill}"', f'color="{stroke}"']
        if style:
            attributes.append(f'style="{",".join(style)}"')
        lines.append(f'    {node.id} [{", ".join(attributes)}];')
    for edge in graph.edges:
        attributes = []
        if edge.label:
            attributes.append(f'label="{dot_text(edge.label)}"')
        if edge.style == "dashed":
            attributes.append(f'style=dashed, color="{COMPENSATE_COLOUR}"')
        elif edge.style == "dotted":
            attributes.append("style=dotted")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {edge.source} -> {edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph: Graph, format: str = "mermaid") -> str:
    """The graph in ``format`` (one of :data:`FORMATS`)."""
    if format == "mermaid":
        return render_mermaid(graph)
    if format == "dot":
        return render_dot(graph)
    raise ValueError(f"unknown graph format {format!r} (expected one of {', '.join(FORMATS)})")
