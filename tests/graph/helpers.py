"""What the graph tests share: compiling a definition from YAML text into its graph, reading edges and a
run's classes, and finished runs through the app."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import httpx

from tdsl.dsl_schema.compile import compile_text
from tdsl.dsl_schema.graph import Graph, build_graph
from tests.server.helpers import unique


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


def classes(text: str) -> dict[str, str]:
    """Node id -> state of a Mermaid graph's ``class`` lines."""
    found = {}
    for ids, state in re.findall(r"^    class (\S+) (\S+)$", text, re.M):
        found.update(dict.fromkeys(ids.split(","), state))
    return found


async def finished_run(http: httpx.AsyncClient, name: str, run_input: dict[str, Any]) -> str:
    """Start a run through the app and wait for it to complete; its workflow id."""
    body = {"input": run_input, "wait": True, "timeout": 60}
    response = await http.post(f"/definitions/{name}/runs", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "COMPLETED", response.text
    workflow_id: str = response.json()["workflow_id"]
    return workflow_id


def saga_input(**changes: Any) -> dict[str, Any]:
    """An input of booking_saga (``total`` above 10000 is declined)."""
    base = {"booking_id": unique("B"), "user_id": "u-1", "hotel_id": "H-1", "flight_id": "F-1",
            "total": 100.0}
    return {**base, **changes}
