"""Schema diagnostics point at the offending node: the key for unknown keys and bad names, the value for
wrong values, the step for a step without a kind key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tdsl.dsl_schema import validate
from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.dsl_schema.diagnostics import DefinitionRejected, Diagnostic
from tdsl.dsl_schema.loader import load_file, load_text
from tdsl.dsl_schema.validate import ecma_regex, schema_diagnostics, schema_validator

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


def diagnose(text: str) -> list[str]:
    return [d.format() for d in schema_diagnostics(load_text(text, "flow.yaml"))]


def where(text: str) -> list[tuple[int, int, str]]:
    """(line, col, code) of every diagnostic; message wording is checked separately where it matters."""
    return [(d.line, d.col, d.code) for d in schema_diagnostics(load_text(text, "flow.yaml"))]


def test_unknown_key_points_at_the_key() -> None:
    text = "name: flow\nsteps:\n  - activity: charge\n    argz: [1]\n"
    [message] = diagnose(text)
    assert message.startswith("flow.yaml:4:5: E102 unknown key: argz")


def test_unknown_keys_deep_inside_are_each_reported_at_their_key() -> None:
    text = """\
name: flow
steps:
  - try:
      - activity: charge
        retry: {maximum_attempts: 2, jiter: true}
    catch:
      - errors: [PaymentDeclined]
        steps: []
        unless: always
"""
    first, second = diagnose(text)
    assert first.startswith("flow.yaml:5:38: E102 unknown key: jiter")
    assert second.startswith("flow.yaml:9:9: E102 unknown key: unless")


def test_step_without_a_kind_key_points_at_the_step_and_lists_the_kinds() -> None:
    text = "name: flow\nsteps:\n  - id: pay\n    args: [1]\n"
    [message] = diagnose(text)
    assert message.startswith(
        "flow.yaml:3:5: E101 step has no kind key (one of activity, set, wait, wait_for, switch, parallel, "
        "foreach, while, try, do, child, return, fail, raise, http); it has: args, id"
    )


def test_wrong_type_deep_inside_a_step_points_at_the_value() -> None:
    text = """\
name: flow
steps:
  - foreach:
      items: "{{ input.rows }}"
      steps:
        - activity: process
          retry:
            maximum_attempts: many
"""
    assert diagnose(text) == ["flow.yaml:8:31: E104 'many' is not of type 'integer'"]


def test_duration_out_of_range_says_why() -> None:
    text = "name: flow\nsteps:\n  - activity: a\n    timeout: -5\n  - activity: b\n    heartbeat: 4e9\n"
    assert diagnose(text) == [
        "flow.yaml:4:14: E104 duration -5 is negative",
        "flow.yaml:6:16: E104 duration 4000000000.0 is longer than 100 years",
    ]


def test_missing_required_key_is_reported_on_its_mapping() -> None:
    text = "name: flow\nsteps:\n  - while: {condition: true, steps: []}\n"
    assert diagnose(text) == ["flow.yaml:3:12: E103 'max_iterations' is a required property"]


def test_bad_variable_name_points_at_the_key() -> None:
    text = "name: flow\nvars:\n  ok: 1\n  2fast: 2\nsteps:\n  - set: {total-sum: 3}\n"
    assert diagnose(text) == [
        "flow.yaml:4:3: E105 invalid name '2fast': names must match ^[A-Za-z_][A-Za-z0-9_]*$",
        "flow.yaml:6:11: E105 invalid name 'total-sum': names must match ^[A-Za-z_][A-Za-z0-9_]*$",
    ]


def test_name_with_a_trailing_newline_is_rejected() -> None:
    # Python's re.search would accept it ("$" matches before a final newline); JSON Schema patterns do not.
    [message] = diagnose('name: "flow\\n"\nsteps: [{set: {a: 1}}]\n')
    assert message.startswith("flow.yaml:1:7: E100 'flow\\n' ")
    assert ecma_regex("^a$").pattern == "^a\\Z"
    assert ecma_regex("^[$]x\\$$").pattern == "^[$]x\\$\\Z"


def test_every_error_is_reported_sorted_by_position() -> None:
    text = "name: 1flow\nstepz: []\n"
    assert where(text) == [(1, 1, "E103"), (1, 7, "E100"), (2, 1, "E102")]
    required, name, unknown = diagnose(text)
    assert "'steps' is a required property" in required
    assert "'1flow'" in name
    assert "unknown key: stepz" in unknown


def test_document_that_is_not_a_mapping() -> None:
    assert where("- just\n- a list\n") == [(1, 1, "E104")]


def test_loading_an_invalid_definition_raises_with_every_diagnostic_and_the_source_line() -> None:
    text = "name: flow\nsteps:\n  - activity: charge\n    timeout: soon\n    retries: 3\n"
    with pytest.raises(DefinitionRejected) as caught:
        load_definition_text(text, "defs/flow.yaml")
    diagnostics = caught.value.diagnostics
    assert [(d.line, d.col, d.code) for d in diagnostics] == [(5, 5, "E102")]
    first, *excerpt = caught.value.render().splitlines()
    assert first.startswith("defs/flow.yaml:5:5: E102 unknown key: retries")
    assert excerpt == ["        retries: 3", "        ^"]
    assert all(isinstance(d, Diagnostic) and d.json_path.startswith("$.steps[0]") for d in diagnostics)


def test_project_definitions_have_no_schema_errors() -> None:
    files = sorted(DEFINITIONS.glob("*.yaml"))
    assert files
    for file in files:
        doc = load_file(file)
        assert schema_diagnostics(doc) == [], file
        assert schema_validator().is_valid(doc.data)


def test_errors_are_explained_by_the_step_kind_whatever_order_the_schema_lists_kinds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = copy.deepcopy(validate.workflow_schema())
    schema["$defs"]["step"]["oneOf"].reverse()
    monkeypatch.setattr(validate, "workflow_schema", lambda: schema)
    reordered = validate.SchemaValidator(validate.inline_refs(schema))
    monkeypatch.setattr(validate, "_validator", lambda: reordered)
    validate._step_branches.cache_clear()
    try:
        text = ("name: flow\nsteps:\n  - child: {definition: other}\n    timeot: 5s\n"
                "  - activity: a\n    argz: []\n")
        assert diagnose(text) == [
            "flow.yaml:4:5: E102 unknown key: timeot",
            "flow.yaml:6:5: E102 unknown key: argz; did you mean 'args' instead of 'argz'?",
        ]
    finally:
        validate._step_branches.cache_clear()
