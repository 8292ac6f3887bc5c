"""The published JSON Schema and the pydantic models accept and reject the same documents.

Documents come from :mod:`tests.dsl_schema.strategies`: valid definitions built from the schema (every step
kind, every field), then mutants of them. A third, tiny validator (the strategies' oracle) says what each
mutant should be, so both implementations are checked for being right, not only for agreeing.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from pydantic import BaseModel, ValidationError

from tdsl.dsl_schema import models
from tdsl.dsl_schema.models import Definition
from tdsl.dsl_schema.validate import schema_validator, workflow_schema

from .strategies import (
    CHANGES,
    KIND_KEYS,
    Drawn,
    Mutant,
    documents,
    expected_valid,
    mutants,
    resolve,
    schema_properties,
)

FAST = settings(
    derandomize=True,  # the same examples on every run: a coverage assertion can never flake
    deadline=None,
    database=None,
    # No shrinking: documents are large and a failure already names the change and both validators' errors.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def schema_errors(data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in schema_validator().iter_errors(data)]


def model_errors(data: Any) -> list[str]:
    try:
        Definition.model_validate(data)
    except ValidationError as err:
        return [f"{e['loc']}: {e['msg']}" for e in err.errors()]
    return []


def verdicts(data: Any) -> tuple[bool, bool, str]:
    schema, model = schema_errors(data), model_errors(data)
    detail = json.dumps({"schema": schema[:3], "models": model[:3]}, indent=1, default=str)
    return not schema, not model, detail


def test_generated_definitions_are_valid_for_schema_models_and_oracle() -> None:
    @settings(FAST, max_examples=120)
    @given(documents())
    def check(drawn: Drawn) -> None:
        schema_ok, model_ok, detail = verdicts(drawn.data)
        assert schema_ok and model_ok, detail
        assert expected_valid(drawn.data)

    check()


def test_full_definitions_cover_every_step_kind_and_field() -> None:
    covered: set[tuple[str, str]] = set()

    @settings(FAST, max_examples=25)
    @given(documents(full=True))
    def check(drawn: Drawn) -> None:
        schema_ok, model_ok, detail = verdicts(drawn.data)
        assert schema_ok and model_ok, detail
        assert {k for step in drawn.data["steps"] for k in KIND_KEYS if k in step} == set(KIND_KEYS)
        covered.update(drawn.covered)

    check()
    # Every property of every object in the schema (and its open mappings, "*") appeared in some document.
    assert not schema_properties() - covered, sorted(schema_properties() - covered)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def test_mutated_definitions_get_the_same_verdict_from_schema_models_and_oracle() -> None:
    seen: Counter[tuple[str, bool]] = Counter()

    @settings(FAST, max_examples=500)
    @given(mutants())
    def check(mutant: Mutant) -> None:
        schema_ok, model_ok, detail = verdicts(mutant.data)
        where = f"{mutant.kind} at {list(mutant.path)}"
        assert schema_ok == model_ok, f"schema and models disagree on {where}: {detail}"
        assert schema_ok == mutant.expected, f"schema and oracle disagree on {where}: {detail}"
        seen[(mutant.kind, mutant.expected)] += 1

    check()
    # Every kind of change produced rejected documents, and changes that can keep a document valid did.
    for kind in set(CHANGES) - {"regenerate"}:
        assert seen[(kind, False)] > 0, (kind, dict(seen))
    for kind in ("regenerate", "drop"):
        assert seen[(kind, True)] > 0, (kind, dict(seen))


# ------------------------------------------------------------------------------------ hand-picked cases
BASE: dict[str, Any] = {"name": "order", "steps": [{"id": "pay", "activity": "charge"}]}


def _foreach(value: Any, key: str = "tolerate_failures") -> dict[str, Any]:
    return {"name": "f", "steps": [{"foreach": {"items": [1], "steps": [], key: value}}]}


def _concurrency(value: Any) -> dict[str, Any]:
    return _foreach(value, "concurrency")


def _with_step(**fields: Any) -> dict[str, Any]:
    return {"name": "order", "steps": [{"activity": "charge", **fields}]}


CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("minimal", BASE, True),
    ("percentage 0100%", _foreach("0100%"), False),
    ("percentage 100.5%", _foreach("100.5%"), False),
    ("percentage 100.0%", _foreach("100.0%"), True),
    ("percentage 07%", _foreach("07%"), True),
    ("percentage with arabic-indic digit", _foreach("\u0665%"), False),
    ("tolerate 2.0 (an integer in JSON)", _foreach(2.0), True),
    ("tolerate 2.5", _foreach(2.5), False),
    ("tolerate true", _foreach(True), False),
    ("tolerate from an expression", _foreach("{{ input.max_failed }}"), True),
    ("tolerate from text around an expression", _foreach("max {{ input.max_failed }}"), False),
    ("tolerate -1", _foreach(-1), False),
    ("concurrency 1", _concurrency(1), True),
    ("concurrency 1000", _concurrency(1000), True),
    ("concurrency 0", _concurrency(0), False),
    ("concurrency 1001", _concurrency(1001), False),
    ("concurrency 4.0", _concurrency(4.0), True),
    ("concurrency as text", _concurrency("4"), False),
    ("concurrency from an expression", _concurrency("{{ input.parallelism | default(4) }}"), True),
    ("concurrency from two expressions", _concurrency("{{ a }}{{ b }}"), False),
    ("concurrency from an empty expression", _concurrency("{{}}"), False),
    ("concurrency expression with a space before", _concurrency(" {{ a }}"), False),
    ("concurrency expression with a trailing newline", _concurrency("{{ a }}\n"), False),
    ("concurrency expression with braces inside", _concurrency("{{ {'a': 1}.a }}"), False),
    ("concurrency statement", _concurrency("{% if a %}4{% endif %}"), False),
    ("maximum_attempts 3.0", _with_step(retry={"maximum_attempts": 3.0}), True),
    ("maximum_attempts 2**31", _with_step(retry={"maximum_attempts": 2**31}), False),
    ("maximum_attempts 2**31-1", _with_step(retry={"maximum_attempts": 2**31 - 1}), True),
    ("backoff true", _with_step(retry={"backoff_coefficient": True}), False),
    ("backoff 2 (int for a number)", _with_step(retry={"backoff_coefficient": 2}), True),
    ("backoff 0.5", _with_step(retry={"backoff_coefficient": 0.5}), False),
    ("timeout true", _with_step(timeout=True), False),
    ("timeout -1", _with_step(timeout=-1), False),
    ("timeout over 100 years", _with_step(timeout=3153600001), False),
    ("timeout empty string", _with_step(timeout=""), False),
    ("timeout null", _with_step(timeout=None), False),
    ("empty activity name", _with_step(activity=""), False),
    ("empty task queue", _with_step(task_queue=""), False),
    ("name with trailing newline", {**BASE, "name": "order\n"}, False),
    ("step id with trailing newline", _with_step(id="pay\n"), False),
    ("python field name instead of key", _with_step(if_="{{ true }}"), False),
    ("signal schema_ instead of schema", {**BASE, "signals": {"go": {"schema_": {}}}}, False),
    ("version 2.0", {**BASE, "version": 2.0}, True),
    ("version 2.5", {**BASE, "version": 2.5}, False),
    ("version null", {**BASE, "version": None}, False),
    ("output null", {**BASE, "output": None}, True),
    ("empty steps", {**BASE, "steps": []}, False),
    ("empty parallel branches", {**BASE, "steps": [{"parallel": {"branches": {}}}]}, False),
    ("two kind keys", {**BASE, "steps": [{"activity": "a", "set": {"x": 1}}]}, False),
    ("no kind key", {**BASE, "steps": [{"id": "a"}]}, False),
    ("step that is a string", {**BASE, "steps": ["charge"]}, False),
    ("vars with a bad name", {**BASE, "vars": {"1x": 1}}, False),
    ("document that is a list", [BASE], False),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("data", "valid"), [(d, v) for _, d, v in CASES], ids=[c[0] for c in CASES])
def test_hand_picked_documents(data: Any, valid: bool) -> None:
    schema_ok, model_ok, detail = verdicts(data)
    assert (schema_ok, model_ok, expected_valid(data)) == (valid, valid, valid), detail


# ------------------------------------------------------------------------------------ same fields
def _model_pairs() -> list[tuple[type[BaseModel], dict[str, Any]]]:
    """Each model with the schema object it mirrors."""
    schema = workflow_schema()
    defs = schema["$defs"]

    def body(step: str, key: str) -> dict[str, Any]:
        return resolve(defs[step]["properties"][key])

    return [
        (models.Definition, schema),
        (models.Defaults, schema["properties"]["defaults"]),
        (models.RetryPolicy, defs["retry"]),
        (models.Compensation, defs["compensation"]),
        (models.SignalDecl, defs["signal"]),
        (models.QueryDecl, defs["query"]),
        (models.UpdateDecl, defs["update"]),
        (models.ActivityStep, defs["activity_step"]),
        (models.SetStep, defs["set_step"]),
        (models.WaitStep, defs["wait_step"]),
        (models.WaitFor, defs["wait_step"]["properties"]["wait"]["anyOf"][1]),
        (models.WaitUntil, defs["wait_step"]["properties"]["wait"]["anyOf"][2]),
        (models.WaitForStep, defs["wait_for_step"]),
        (models.WaitForSignals, body("wait_for_step", "wait_for")),
        (models.SwitchStep, defs["switch_step"]),
        (models.SwitchBody, body("switch_step", "switch")),
        (models.SwitchCase, body("switch_step", "switch")["properties"]["cases"]["items"]),
        (models.ParallelStep, defs["parallel_step"]),
        (models.ParallelBody, body("parallel_step", "parallel")),
        (models.ForeachStep, defs["foreach_step"]),
        (models.ForeachBody, body("foreach_step", "foreach")),
        (models.WhileStep, defs["while_step"]),
        (models.WhileBody, body("while_step", "while")),
        (models.TryStep, defs["try_step"]),
        (models.CatchClause, defs["try_step"]["properties"]["catch"]["items"]),
        (models.ChildStep, defs["child_step"]),
        (models.ChildBody, body("child_step", "child")),
        (models.ReturnStep, defs["return_step"]),
        (models.FailStep, defs["fail_step"]),
        (models.FailBody, defs["fail_step"]["properties"]["fail"]["anyOf"][1]),
    ]


@pytest.mark.parametrize(("model", "schema"), _model_pairs(), ids=lambda v: getattr(v, "__name__", ""))
def test_models_have_the_schema_properties_and_required_keys(
    model: type[BaseModel], schema: dict[str, Any]
) -> None:
    keys = {f.alias or name for name, f in model.model_fields.items()}
    required = {f.alias or name for name, f in model.model_fields.items() if f.is_required()}
    assert keys == set(schema["properties"])
    assert required == set(schema.get("required", ()))
    assert schema.get("additionalProperties") is False


def test_models_and_schema_use_the_same_template_pattern() -> None:
    assert workflow_schema()["$defs"]["template_string"]["pattern"] == models.TEMPLATE_PATTERN


def test_every_step_kind_has_a_model() -> None:
    branches = {resolve(b)["required"][0] for b in workflow_schema()["$defs"]["step"]["oneOf"]}
    assert branches == set(models.STEP_KINDS) == set(KIND_KEYS)
