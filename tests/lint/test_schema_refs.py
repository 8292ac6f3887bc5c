"""E705 flags exactly the ``$ref`` that payload validation at run time can never resolve."""

from __future__ import annotations

from typing import Any

import pytest

from tdsl.dsl_schema.lint.schema_refs import remote_refs
from tdsl.dsl_schema.payloads import schema_errors

ROOT_ID = "https://schemas.example.com/order.json"

# (reference, whether it resolves without retrieving anything), inside a schema whose $id is ROOT_ID and
# which embeds a subschema with the $id "item.json" (so https://schemas.example.com/item.json).
REFERENCES = [
    ("#/$defs/item", True),
    ("item.json", True),
    ("https://schemas.example.com/item.json", True),
    (f"{ROOT_ID}#/$defs/item", True),
    ("https://json-schema.org/draft/2020-12/schema", True),
    ("http://json-schema.org/draft-07/schema#", True),
    ("customer.json", False),
    ("https://schemas.example.com/customer.json", False),
    ("https://json-schema.org/draft-07/schema#", False),  # the draft-07 meta-schema's URI is http://
    ("urn:example:customer", False),
]


def _schema(ref: str) -> dict[str, Any]:
    return {
        "$id": ROOT_ID,
        "type": "object",
        "$defs": {"item": {"$id": "item.json", "type": ["integer", "object"]}},
        "properties": {"x": {"$ref": ref}, "sample": {"const": {"$ref": "https://never.example.com"}}},
    }


@pytest.mark.parametrize(("ref", "resolves"), REFERENCES, ids=[ref for ref, _ in REFERENCES])
def test_a_reference_is_flagged_exactly_when_run_time_validation_cannot_resolve_it(
    ref: str, resolves: bool
) -> None:
    schema = _schema(ref)
    unresolvable = [e for e in schema_errors(schema, {"x": 1}) if e["validator"] == "$ref"]
    assert (unresolvable == []) is resolves
    assert list(remote_refs(schema)) == ([] if resolves else [(("properties", "x", "$ref"), ref)])


def test_references_are_found_at_any_depth_in_document_order() -> None:
    schema = {"items": [{"$ref": "a.json"}], "anyOf": [{"properties": {"b": {"$ref": "https://b.example"}}}]}
    assert list(remote_refs(schema)) == [(("items", 0, "$ref"), "a.json"),
                                         (("anyOf", 0, "properties", "b", "$ref"), "https://b.example")]
    assert list(remote_refs(True)) == list(remote_refs({"$ref": 3})) == []
