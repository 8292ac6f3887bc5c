"""Every definition in ``definitions/`` is valid, announces its schema to editors, documents itself, has an
example input that its input schema accepts, and has a test module here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdsl.dsl_schema.payloads import schema_errors
from tests.support import DEFINITIONS, ROOT, project_catalog

EXAMPLES = ROOT / "examples"
MODELINE = "# yaml-language-server: $schema=../dsl_schema/workflow.schema.json"

EXAMPLE_INPUTS = {
    "order_processing": "order.json",
    "data_processing": "data_processing.json",
    "approval": "approval.json",
    "booking_saga": "booking.json",
    "send_reminder": "reminder.json",
    "expense_report": "expense.json",
    "subscription_renewal": "subscription.json",
    "http_order_lookup": "http_order_lookup.json",
    "nightly_dataset_report": "nightly_dataset_report.json",
}


def test_every_definition_has_an_example_and_a_test_module() -> None:
    names = project_catalog().names()
    assert sorted(EXAMPLE_INPUTS) == names
    tests = {p.stem.removeprefix("test_") for p in Path(__file__).parent.glob("test_*.py")}
    assert set(names) <= tests


@pytest.mark.parametrize("name", sorted(EXAMPLE_INPUTS))
def test_definition_file_is_documented_and_its_example_is_valid(name: str) -> None:
    entry = project_catalog().entries[name]
    assert Path(entry.file).read_text().splitlines()[0] == MODELINE
    assert Path(entry.file).parent == DEFINITIONS
    assert entry.definition.description and entry.definition.input
    example = json.loads((EXAMPLES / EXAMPLE_INPUTS[name]).read_text())
    assert schema_errors(entry.definition.input, example) == []
