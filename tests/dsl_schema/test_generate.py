"""The published JSON Schema is generated from the step kind declarations and models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdsl.dsl_schema import generate
from tdsl.dsl_schema.kinds import KINDS
from tdsl.dsl_schema.validate import workflow_schema


def test_committed_schema_is_generated_from_the_declarations() -> None:
    # When this fails, run: python -m tdsl.dsl_schema.generate
    assert json.loads(generate.SCHEMA_PATH.read_text(encoding="utf-8")) == generate.generate()
    assert generate.main(["--check"]) == 0


def test_every_declared_kind_is_a_branch_of_step() -> None:
    schema = workflow_schema()
    branches = [ref["$ref"].rsplit("/", 1)[-1] for ref in schema["$defs"]["step"]["oneOf"]]
    assert branches == [kind.schema_name for kind in KINDS.values()]
    for key, kind in KINDS.items():
        step = schema["$defs"][kind.schema_name]
        assert step["required"] == [key]
        assert list(step["properties"])[:4] == ["id", "name", "if", key]
        assert step["description"] == kind.description


def test_a_changed_declaration_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "workflow.schema.json"
    schema = generate.generate()
    del schema["$defs"]["child_step"]["properties"]["child"]["properties"]["wait"]
    stale.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    monkeypatch.setattr(generate, "SCHEMA_PATH", stale)
    assert generate.main(["--check"]) == 1
