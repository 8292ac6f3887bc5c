"""The schema validator validates against the published schema with its references inlined (for speed): it
must find exactly the errors the published schema gives, at the same paths, with the same messages."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdsl.dsl_schema.loader import load_text
from tdsl.dsl_schema.validate import SchemaValidator, inline_refs, schema_validator, workflow_schema

from ..dsl_schema.strategies import Mutant, mutants
from .strategies import mutated
from .support import ROOT

PUBLISHED = SchemaValidator(workflow_schema())
PROJECT_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "definitions").glob("*.yaml"))]


def errors(validator: Any, data: Any) -> list[tuple[Any, ...]]:
    found = [(tuple(e.absolute_path), e.validator, e.message, tuple(sorted(map(str, e.relative_schema_path))))
             for e in validator.iter_errors(data)]
    return sorted(found, key=repr)


def test_only_self_references_remain() -> None:
    inlined = inline_refs(workflow_schema())
    refs: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect({k: v for k, v in inlined.items() if k != "$defs"})
    assert refs == {"#/$defs/step"}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_schema_mutants_get_the_same_errors(mutant: Mutant) -> None:
    assert errors(schema_validator(), mutant.data) == errors(PUBLISHED, mutant.data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_get_the_same_errors(data: st.DataObject) -> None:
    text = data.draw(mutated(data.draw(st.sampled_from(PROJECT_TEXTS))))
    try:
        document = load_text(text).data
    except Exception:
        return  # not YAML: nothing to validate
    assert errors(schema_validator(), document) == errors(PUBLISHED, document)
