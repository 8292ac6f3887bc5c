"""``docs/graphs/`` holds the graph of every example definition, as the definitions give it today."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tdsl.dsl_schema.compile import definition_files, read_document
from tdsl.dsl_schema.graph.pages import INDEX, graph_pages, stale_pages, write_pages

from .syntax import check_mermaid

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"
PAGES = ROOT / "docs" / "graphs"


def test_the_committed_graphs_are_current() -> None:
    stale = stale_pages(DEFINITIONS, Path("docs/graphs"), root=ROOT)
    assert stale == [], f"stale pages in docs/graphs: {stale}; run: tdsl graph --all --out docs/graphs"


def test_one_page_per_definition_with_a_mermaid_block_and_an_index() -> None:
    names = sorted(read_document(file).data["name"] for file in definition_files(DEFINITIONS))
    pages = graph_pages(DEFINITIONS, Path("docs/graphs"), root=ROOT)
    assert sorted(pages) == sorted([INDEX, *(f"{name}.md" for name in names)])
    for name in names:
        text = pages[f"{name}.md"]
        assert text.count("```mermaid\n") == 1
        block = re.search(r"```mermaid\n(.*?)```", text, re.S)
        assert block is not None
        check_mermaid(block.group(1))
        assert f"](../../definitions/{name}.yaml)" in text
        assert f"]({name}.md)" in pages[INDEX]


def test_a_changed_definition_makes_its_page_stale(tmp_path: Path) -> None:
    folder, out = tmp_path / "definitions", tmp_path / "graphs"
    shutil.copytree(DEFINITIONS, folder)
    write_pages(folder, out)
    assert stale_pages(folder, out) == []
    saga = folder / "booking_saga.yaml"
    saga.write_text(saga.read_text().replace("Charge the payment", "Take the money"))
    assert stale_pages(folder, out) == ["booking_saga.md"]
    (out / "gone.md").write_text("left over")
    (folder / "approval.yaml").unlink()
    assert stale_pages(folder, out) == ["booking_saga.md", "README.md", "approval.md", "gone.md"]
    write_pages(folder, out)
    assert stale_pages(folder, out) == []
    assert not (out / "gone.md").exists()
