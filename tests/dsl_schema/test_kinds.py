"""The step kind declarations are consistent, and what reads them (registry, outlines) agrees with them."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from tdsl.dsl_schema import models
from tdsl.dsl_schema.kinds import KINDS, STEP_KINDS, Step, kind_of, step_kind
from tdsl.dsl_schema.kinds.base import Clauses, Fact, Lists, nested_step_lists
from tdsl.dsl_schema.lint.outline import outline
from tdsl.server.http.outline import outline_steps


def _keys(model: Any) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_the_registry_is_derived_from_the_declarations() -> None:
    assert models.STEP_KINDS == STEP_KINDS == tuple(KINDS)
    assert STEP_KINDS[:3] == ("activity", "set", "wait")  # the documented order, also the lookup order
    for key, kind in KINDS.items():
        assert key in _keys(kind.model), key
        assert models._MODEL_KINDS[kind.model] == key
    step = TypeAdapter(Step).validate_python({"child": {"definition": "other"}})
    assert isinstance(step, models.ChildStep) and step_kind(step) == "child"
    assert kind_of({"activity": "a", "set": {}}) is KINDS["activity"]  # several kind keys: the first


def test_outline_declarations_name_real_fields() -> None:
    for key, kind in KINDS.items():
        for part in kind.outline:
            assert part.path[0] in _keys(kind.model), (key, part)
        labels = [spec.label for spec in kind.nested]
        for index, spec in enumerate(kind.nested):
            assert set(spec.sees) <= set(labels[:index]), (key, spec)  # sees only lists walked before it
        assert all(isinstance(part, Fact | Lists | Clauses) for part in kind.outline)


def test_terminal_kinds_are_the_ones_that_end_a_list() -> None:
    assert {key for key, kind in KINDS.items() if kind.terminal} == {"return", "fail", "raise"}


STEPS = [
    {"id": "a", "activity": "charge", "compensate": {"activity": "refund"}},
    {"id": "c", "child": {"definition": "kid", "summary": "kid of {{ steps.a }}"},
     "compensate": {"activity": "undo", "args": ["{{ result }}"]}},
    {"foreach": {"items": [1], "as": "x", "steps": [{"id": "in_loop", "set": {"v": "{{ x }}"}}],
                 "result": "{{ steps.in_loop }}"}},
    {"try": [{"id": "t", "wait": "1s"}],
     "catch": [{"errors": ["E"], "steps": [{"return": "{{ error.type }} {{ steps.t }}"}]}],
     "finally": [{"wait": {"until": "2030-01-01T00:00:00Z"}}]},
    {"wait_for": {"signals": {"go": [{"set": {"g": "{{ signal }}"}}]}, "timeout": "1h"}},
    {"fail": {"message": "no", "type": "Stop"}},
]


def test_the_linter_outline_follows_the_declared_scopes_and_roles() -> None:
    found = outline({"name": "x", "steps": STEPS})
    values = {value.path: value for value in found.values}
    summary = values[("steps", 1, "child", "summary")]
    assert summary.role == "template" and "a" in summary.scope.steps
    compensation = values[("steps", 1, "compensate", "args")]
    assert "result" in compensation.scope.names and "c" in compensation.scope.steps
    item = values[("steps", 2, "foreach", "steps", 0, "set", "v")]
    assert {"x", "index"} <= item.scope.names and item.scope.foreach == (("steps", 2),)
    assert "in_loop" in values[("steps", 2, "foreach", "result")].scope.steps
    assert "in_loop" not in values[("steps", 3, "catch", 0, "steps", 0, "return")].scope.steps
    caught = values[("steps", 3, "catch", 0, "steps", 0, "return")]
    assert "error" in caught.scope.names and "t" in caught.scope.steps
    assert values[("steps", 3, "finally", 0, "wait", "until")].role == "timestamp"
    assert values[("steps", 4, "wait_for", "timeout")].role == "duration"
    assert "signal" in values[("steps", 4, "wait_for", "signals", "go", 0, "set", "g")].scope.names
    assert found.signals_waited == {"go": [("steps", 4, "wait_for", "signals", "go")]}
    assert set(found.vars_set) == {"v", "g"}
    assert values[("steps", 5, "fail", "message")].role == "template"
    assert found.step_ids["t"].scope.steps == {"a", "c"}  # a foreach item's steps stay inside it


def test_the_readable_outline_shows_what_the_declarations_say() -> None:
    assert outline_steps(STEPS) == [
        {"kind": "activity", "id": "a", "activity": "charge", "compensate": "refund"},
        {"kind": "child", "id": "c", "definition": "kid", "wait": True, "compensate": "undo"},
        {"kind": "foreach", "items": [1], "as": "x",
         "steps": [{"kind": "set", "id": "in_loop", "vars": ["v"]}]},
        {"kind": "try", "steps": [{"kind": "wait", "id": "t", "wait": "1s"}],
         "catch": [{"errors": ["E"], "steps": [{"kind": "return"}]}],
         "finally": [{"kind": "wait", "wait": {"until": "2030-01-01T00:00:00Z"}}]},
        {"kind": "wait_for", "signals": ["go"], "branches": {"go": [{"kind": "set", "vars": ["g"]}]},
         "timeout": "1h"},
        {"kind": "fail", "fail": "Stop"},
    ]


def test_the_nested_lists_of_a_raw_step_carry_their_declared_run_time_segments() -> None:
    clauses = [{"steps": []}, "not a clause", {"errors": ["E"], "steps": [1]}]
    step = {"try": [{"wait": "1s"}], "catch": clauses, "finally": []}
    found = [(n.spec.label, n.path, n.segment) for n in nested_step_lists(KINDS["try"].model, step)]
    assert found == [("try", ("try",), "try"), ("catch", ("catch", 0, "steps"), "catch#0"),
                     ("catch", ("catch", 2, "steps"), "catch#2"), ("finally", ("finally",), "finally")]
    waits = {"wait_for": {"signals": {"go": [], "stop": []}, "on_timeout": []}}
    segments = [n.segment for n in nested_step_lists(KINDS["wait_for"].model, waits)]
    assert segments == ["go", "stop", "on_timeout"]
    # A list of names holds no steps; a document of the wrong shape yields nothing rather than failing.
    assert list(nested_step_lists(KINDS["wait_for"].model, {"wait_for": {"signals": ["go"]}})) == []
    assert list(nested_step_lists(KINDS["switch"].model, {"switch": [1, 2]})) == []
    loop = {"foreach": {"items": [1], "steps": [{"set": {}}]}}
    assert [(n.path, n.segment) for n in nested_step_lists(KINDS["foreach"].model, loop)] == [
        (("foreach", "steps"), "")
    ]


def test_every_declared_kind_has_an_interpreter_handler() -> None:
    from tdsl.interpreter import steps

    assert {kind.model for kind in KINDS.values()} <= set(steps._HANDLERS)
