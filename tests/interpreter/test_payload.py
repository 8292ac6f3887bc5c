"""Typed payloads between runs keep the JSON shape the committed golden histories carry."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.converter import default as default_converter

from tdsl.interpreter import DefinitionError, Fragment, PinnedChild, ResumeState, RunPayload

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CONVERTER = default_converter().payload_converter


def _payloads(attributes: dict[str, Any]) -> list[Any]:
    payloads = (attributes.get("input") or {}).get("payloads", [])
    return [json.loads(base64.b64decode(p["data"])) for p in payloads]


def _recorded_inputs() -> list[tuple[str, Any]]:
    """Every run input in the golden files of every release (``tests/golden/<version>/``): starts, child
    starts (batches) and continue-as-new commands."""
    found: list[tuple[str, Any]] = []
    for path in sorted(GOLDEN.glob("*/*.json")):
        for event in json.loads(path.read_text(encoding="utf-8"))["events"]:
            for key in (
                "workflowExecutionStartedEventAttributes",
                "startChildWorkflowExecutionInitiatedEventAttributes",
                "workflowExecutionContinuedAsNewEventAttributes",
            ):
                if key in event:
                    label = f"{path.parent.name}/{path.stem}:{key[:30]}"
                    found.extend((label, data) for data in _payloads(event[key]))
    return found


INPUTS = _recorded_inputs()


def test_the_golden_files_hold_every_kind_of_input() -> None:
    kinds = {(bool(data.get("children")), "fragment" in data, "resume" in data) for _, data in INPUTS}
    assert (True, False, False) in kinds  # a start with pinned children
    assert any(fragment for _, fragment, _ in kinds)  # a foreach batch
    assert any(resume for _, _, resume in kinds)  # a continue-as-new


@pytest.mark.parametrize(("where", "data"), INPUTS, ids=[where for where, _ in INPUTS])
def test_recorded_inputs_decode_typed_and_encode_to_the_same_json(where: str, data: Any) -> None:
    payload = CONVERTER.from_payload(CONVERTER.to_payload(data), RunPayload)
    assert all(isinstance(entry, PinnedChild) for entry in payload.children.values())
    assert payload.fragment is None or isinstance(payload.fragment, Fragment)
    assert payload.resume is None or isinstance(payload.resume, ResumeState)
    expected = {key: value for key, value in data.items() if value is not None or key == "input"}
    assert payload.to_data() == expected


def test_the_start_payload_is_built_as_before() -> None:
    entry = {
        "definition": {"name": "child"},
        "definition_name": "child",
        "version": 2,
        "sha256": "ab",
        "commit": None,
    }
    payload = RunPayload(definition={"name": "parent"}, input={"x": 1}, children={"child": entry})
    assert payload.child("child") == PinnedChild({"name": "child"}, "child", 2, "ab", None)
    assert payload.to_data() == {
        "definition": {"name": "parent"},
        "input": {"x": 1},
        "children": {"child": entry},
    }
    assert RunPayload(definition={"name": "p"}).to_data() == {"definition": {"name": "p"}, "input": None}


def test_an_input_that_is_not_a_run_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="'definition' mapping"):
        RunPayload.from_data({"input": 1})
    with pytest.raises(DefinitionError, match=r"invalid RunPayload: Failed converting field fragment"):
        RunPayload.from_data({"definition": {}, "fragment": {"path": "x"}})
