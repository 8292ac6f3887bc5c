"""Mappings of a definition keep their declared order on a worker, as offline: Temporal's JSON converter
sorts mapping keys, so the run's input carries the declared order (``key_order``) and the run restores it."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.converter import default as default_converter

from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import run_offline_sync
from tdsl.interpreter.payload import RunPayload
from tests.support import harness

DECLARED = """
name: declared_order
steps:
  - id: race
    parallel:
      mode: first
      branches:
        zed: [{set: {z: 1}}]
        amy: [{set: {a: 1}}]
  - id: every
    parallel:
      branches:
        zed: [{set: {z2: 1}}]
        amy: [{set: {a2: 1}}]
output:
  winner: "{{ steps.race.winner }}"
  branches: "{{ steps.every | list }}"
  vars: "{{ vars | list }}"
"""

EXPECTED = {"winner": "zed", "branches": ["zed", "amy"], "vars": ["z", "a", "z2", "a2"]}


def through_converter(payload: RunPayload) -> RunPayload:
    converter = default_converter().payload_converter
    return RunPayload.from_data(converter.from_payload(converter.to_payload(payload.to_data())))


def test_the_payload_keeps_declared_order_through_the_converter() -> None:
    definition: dict[str, Any] = {"name": "x", "steps": [{"parallel": {"branches": {"zed": [], "a/b~": []}}}]}
    child = {"definition": {"name": "c", "vars": {"b": 1, "a": 2}}}
    payload = RunPayload(definition=definition, children={"c": child})
    decoded = through_converter(payload)
    assert list(decoded.definition["steps"][0]["parallel"]["branches"]) == ["zed", "a/b~"]
    assert list(decoded.child("c").definition["vars"]) == ["b", "a"]
    assert through_converter(decoded).definition == definition  # and again (continue-as-new, children)


def test_a_sorted_definition_carries_no_order() -> None:
    """Runs whose definitions are already sorted (every run started before the order travelled) have inputs
    exactly as before."""
    payload = RunPayload(definition={"name": "x", "steps": [{"set": {"a": 1, "b": 2}}]})
    assert "key_order" not in payload.to_data()


def test_offline_runs_keep_declared_order() -> None:
    entry = load_definition_text(DECLARED, "<test>")
    assert run_offline_sync(entry, None, activities={}).output == EXPECTED


async def test_a_worker_keeps_declared_order(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(DECLARED)
        assert await h.execute(name) == EXPECTED
