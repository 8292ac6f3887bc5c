"""Typed payloads between runs keep the JSON shape the committed golden histories carry."""

from __future__ import annotations

import base64
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from temporalio.converter import default as default_converter

from tdsl.interpreter import DefinitionFailedAtRun, Fragment, PinnedChild, ResumeState, RunPayload

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
    with pytest.raises(DefinitionFailedAtRun, match="'definition' mapping"):
        RunPayload.from_data({"input": 1})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field fragment"):
        RunPayload.from_data({"definition": {}, "fragment": {"path": "x"}})


@pytest.mark.parametrize("cls", [RunPayload, PinnedChild, Fragment, ResumeState])
def test_payload_annotations_are_types_not_strings(cls: type) -> None:
    # The converter resolves a dataclass's type hints on every decode (every run start): hints written as
    # strings would be evaluated again each time, about half the cost of decoding a run's input.
    assert [f.name for f in fields(cls) if isinstance(f.type, str)] == []


@pytest.mark.parametrize(("where", "data"), INPUTS, ids=[where for where, _ in INPUTS])
def test_from_data_decodes_every_recorded_input_as_the_converter_does(where: str, data: Any) -> None:
    # The worker decodes JSON and types it with from_data (a plain start is built directly).
    decoded = json.loads(CONVERTER.to_payload(data).data)
    assert RunPayload.from_data(decoded) == CONVERTER.from_payload(CONVERTER.to_payload(data), RunPayload)


def test_a_plain_start_with_parts_of_the_wrong_shape_is_a_definition_error() -> None:
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field source"):
        RunPayload.from_data({"definition": {}, "source": "x.yaml"})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field children"):
        RunPayload.from_data({"definition": {}, "children": ["child"]})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field children"):
        RunPayload.from_data({"definition": {}, "children": []})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field source"):
        RunPayload.from_data({"definition": {}, "source": ""})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid RunPayload: Failed converting field children"):
        RunPayload.from_data({"definition": {}, "children": {"child": "not a mapping"}})
    with pytest.raises(DefinitionFailedAtRun, match=r"invalid PinnedChild"):
        RunPayload.from_data({"definition": {}, "children": {"child": {"version": 1}}})
