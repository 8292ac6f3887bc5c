"""The worker validates a definition once and shares the model among the runs of that definition."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from tdsl.interpreter import run as run_module
from tdsl.interpreter.run import MODEL_CACHE_SIZE, definition_model

DEFINITION: dict[str, Any] = {
    "name": "cached",
    "version": 1,
    "vars": {"n": 1},
    "steps": [{"id": "a", "set": {"n": "{{ vars.n + 1 }}"}}],
    "output": "{{ vars.n }}",
}


def test_equal_definitions_share_one_model_and_any_change_gets_its_own() -> None:
    model = definition_model(copy.deepcopy(DEFINITION))
    assert definition_model(copy.deepcopy(DEFINITION)) is model
    changed = copy.deepcopy(DEFINITION)
    changed["vars"]["n"] = 1.0  # equal in Python, another definition in the text
    assert definition_model(changed) is not model
    assert definition_model(changed).vars == {"n": 1.0}


def test_an_invalid_definition_is_never_kept() -> None:
    invalid = {**DEFINITION, "steps": [{"id": "a", "nonsense": 1}]}
    for _ in range(2):
        with pytest.raises(ValidationError):
            definition_model(invalid)
    assert repr(invalid) not in run_module._MODELS


def test_the_cache_is_bounded() -> None:
    for version in range(MODEL_CACHE_SIZE + 5):
        definition_model({**DEFINITION, "version": version})
    assert 0 < len(run_module._MODELS) <= MODEL_CACHE_SIZE
