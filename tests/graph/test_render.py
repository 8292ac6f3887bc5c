"""Every example definition renders in both formats, and the text is sound: ids, quoting, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tdsl.dsl_schema.compile import compile_document, definition_files, read_document
from tdsl.dsl_schema.graph import FORMATS, build_graph, render, render_dot, render_mermaid
from tdsl.server.cli.verbs import GRAPH_FORMATS

from .helpers import graph_of
from .syntax import check_dot, check_mermaid

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = definition_files(ROOT / "definitions")


def test_the_cli_offers_the_formats_there_are() -> None:
    assert GRAPH_FORMATS == FORMATS


@pytest.mark.parametrize("file", EXAMPLES, ids=[file.stem for file in EXAMPLES])
def test_every_example_renders_in_both_formats(file: Path) -> None:
    doc = read_document(file)
    compile_document(doc).require()
    graph = build_graph(doc.data)
    expected = {(e.source, e.target, e.label) for e in graph.edges}
    for check, text in ((check_mermaid, render_mermaid(graph)), (check_dot, render_dot(graph))):
        nodes, found = check(text)
        assert nodes == {node.id for node in graph.nodes}
        assert set(found) == expected
    assert graph.node("n_start") and graph.edges_from("n_start")


def test_quotes_brackets_and_templates_are_escaped() -> None:
    graph = graph_of('''
        - id: tricky
          name: 'Say "hi" [now] {{ x }} <b> a|b #1 `c` \\ end'
          if: "{{ input.a | default(\\"[x]\\") > 1 }}"
          activity: send_email
    ''')
    mermaid = render(graph, "mermaid")
    check_mermaid(mermaid)
    assert 'tricky: Say #quot;hi#quot; [now] {{ x }} #lt;b#gt; a#124;b #35;1 #96;c#96; \\ end' in mermaid
    assert "if {{ input.a #124; default(#quot;[x]#quot;) #gt; 1 }}" in mermaid
    dot = render(graph, "dot")
    check_dot(dot)
    assert 'Say \\"hi\\" [now] {{ x }} <b> a|b #1 `c` \\\\ end' in dot


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render(graph_of("- {activity: send_email}"), "svg")


def test_states_become_mermaid_classes_and_dot_colours() -> None:
    graph = graph_of("""
        - {id: a, activity: send_email}
        - {id: b, activity: send_email}
    """)
    graph.states = {"s_a": "completed", "s_b": "failed"}
    mermaid = render_mermaid(graph)
    check_mermaid(mermaid)
    assert "    class s_a completed" in mermaid.splitlines()
    assert "    class s_b failed" in mermaid.splitlines()
    assert [line.split()[1] for line in mermaid.splitlines() if "classDef" in line] == ["completed", "failed"]
    dot = render_dot(graph)
    check_dot(dot)
    line = next(line for line in dot.splitlines() if line.startswith("    s_b ["))
    assert 'style="filled"' in line and 'fillcolor="#f8d7da"' in line


def test_compensation_edges_are_drawn_distinctly() -> None:
    graph = graph_of("""
        - {id: pay, activity: charge_payment, compensate: {activity: refund_payment}}
        - {id: b, activity: send_email}
    """)
    mermaid = render_mermaid(graph).splitlines()
    assert '    s_pay -.->|"compensate"| s_pay_undo' in mermaid
    assert "    s_pay --> s_b" in mermaid
    number = next(i for i, e in enumerate(graph.edges) if e.label == "compensate")
    assert f"    linkStyle {number} stroke:#c62828,stroke-dasharray:6 3" in mermaid
    assert '    s_pay -> s_pay_undo [label="compensate", style=dashed, color="#c62828"];' in render_dot(graph)
