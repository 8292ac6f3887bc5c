"""Properties of the linter over generated definitions and mutations of real ones: it never crashes, every
diagnostic points at a line that exists, and valid definitions produce no errors."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdsl.dsl_schema.compile import compile_document
from tdsl.dsl_schema.diagnostics import DefinitionRejected, Diagnostic
from tdsl.dsl_schema.lint import CODES, lint_text
from tdsl.dsl_schema.loader import load_text

from ..dsl_schema.strategies import Drawn, documents
from .strategies import definitions, mutated, to_yaml
from .support import ROOT, example_registry

REGISTRY = example_registry()
PROJECT_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "definitions").glob("*.yaml"))]
NAMES = frozenset({"orders", "bookings", "reminders", "order_processing", "approval"})
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_placed(diagnostics: list[Diagnostic], text: str) -> None:
    lines = max(1, len(text.splitlines()))
    for d in diagnostics:
        assert 1 <= d.line <= lines, d.format()
        assert d.col >= 1, d.format()
        assert d.code in CODES and d.severity == CODES[d.code].severity, d.format()
        assert d.message, d.format()


def catalog_diagnostics(text: str) -> list[Diagnostic]:
    """What the catalog reports for ``text`` (the same checks, through ``compile_document``)."""
    try:
        doc = load_text(text, "def.yaml")
    except DefinitionRejected as err:
        return err.diagnostics
    return list(compile_document(doc, REGISTRY, NAMES).diagnostics)


@SETTINGS
@given(definitions())
def test_generated_definitions_have_no_errors(definition: dict[str, Any]) -> None:
    text = to_yaml(definition)
    found = lint_text(text, "def.yaml", REGISTRY, NAMES)
    assert [d.format() for d in found if d.severity == "error"] == [], text
    assert_well_placed(found, text)


@settings(SETTINGS, max_examples=150)
@given(st.data())
def test_mutated_definitions_only_get_diagnostics(data: st.DataObject) -> None:
    source = data.draw(st.one_of(st.sampled_from(PROJECT_TEXTS), definitions().map(to_yaml)), label="source")
    text = data.draw(mutated(source), label="mutated")
    found = lint_text(text, "def.yaml", REGISTRY, NAMES)
    assert_well_placed(found, text)
    assert_well_placed(catalog_diagnostics(text), text)


@SETTINGS
@given(documents())
def test_any_schema_valid_document_only_gets_diagnostics(drawn: Drawn) -> None:
    text = to_yaml(drawn.data)
    found = lint_text(text, "def.yaml", REGISTRY, NAMES)
    assert_well_placed(found, text)
    assert [d.code for d in found if d.code.startswith(("E0", "E1"))] == [], text
