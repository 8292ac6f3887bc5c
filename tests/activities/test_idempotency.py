"""Idempotency keys: every activity call of a run has a stable key, the same on every attempt, readable with
``tdsl.activities.idempotency_key()`` in async and sync activities, offline too; the example payment service
charges once per key."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ruamel.yaml import YAML
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from tdsl.activities import ActivityRegistry, idempotency_key
from tdsl.activities.examples import payments
from tdsl.activities.examples.ledger import ledger
from tdsl.interpreter import run_offline
from tdsl.interpreter.idempotency import activity_key
from tests.support import example_registry, harness

REGISTRY = ActivityRegistry()
REGISTRY.update(example_registry())
SEEN: dict[str, list[tuple[int, str]]] = {}


@REGISTRY.register
async def keyed_call(label: str, fail_first: bool = False) -> str:
    """Record (attempt, key); fail the first attempt when asked (retryable)."""
    info = activity.info()
    SEEN.setdefault(label, []).append((info.attempt, idempotency_key()))
    if fail_first and info.attempt == 1:
        raise ApplicationError("first attempt fails", type="Flaky")
    return idempotency_key()


@REGISTRY.register
def keyed_sync_call(label: str) -> str:
    """A sync activity (run in a thread) reads the key as well."""
    SEEN.setdefault(label, []).append((activity.info().attempt, idempotency_key()))
    return idempotency_key()


KEYS = """
name: keys
defaults: {retry: {initial_interval: 10ms, maximum_attempts: 3}}
steps:
  - id: first
    activity: keyed_call
    args: ["{{ input.tag }}-first", true]
    compensate: {activity: keyed_call, args: ["{{ input.tag }}-undo"]}
  - id: sync
    activity: keyed_sync_call
    args: ["{{ input.tag }}-sync"]
  - id: each
    foreach:
      items: [a, b]
      steps:
        - id: item
          activity: keyed_call
          args: ["{{ input.tag }}-{{ item }}"]
  - fail: {type: Stop, message: undo the first step}
"""


async def test_each_call_has_a_stable_key_naming_its_step(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue, registry=REGISTRY) as h:
        handle = await h.start(h.add(KEYS), {"tag": "t1"})
        with pytest.raises(WorkflowFailureError):  # on purpose, after its compensation ran
            await handle.result()
        first_run_id = (await handle.describe()).run_id
    prefix = f"{handle.id}/{first_run_id}"
    # Both attempts of a retried call carry the same key.
    assert SEEN["t1-first"] == [(1, f"{prefix}/first"), (2, f"{prefix}/first")]
    assert SEEN["t1-sync"] == [(1, f"{prefix}/sync")]
    assert SEEN["t1-a"] == [(1, f"{prefix}/each[0]/item")]
    assert SEEN["t1-b"] == [(1, f"{prefix}/each[1]/item")]
    assert SEEN["t1-undo"] == [(1, f"{prefix}/first.compensate")]


async def test_offline_runs_give_keys_too_and_two_runs_never_share_one() -> None:
    data = YAML(typ="safe").load(KEYS)
    outcomes = [await run_offline(data, {"tag": tag}, activities=REGISTRY) for tag in ("o1", "o2")]
    assert [outcome.status for outcome in outcomes] == ["failed", "failed"]
    first, second = SEEN["o1-first"][0][1], SEEN["o2-first"][0][1]
    assert first.endswith("/first") and second.endswith("/first")
    assert first.split("/")[0] == second.split("/")[0] == "keys-offline"  # the same workflow id...
    assert first != second  # ...but two executions: two requests


def test_outside_a_dsl_run_the_key_is_the_activity_s_own_identity() -> None:
    env = ActivityEnvironment()
    key = env.run(idempotency_key)
    info = env.info
    assert key == f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"


async def test_the_example_payment_service_charges_once_per_key() -> None:
    env = ActivityEnvironment()
    workflow_id = env.info.workflow_id

    async def charge(amount: float) -> dict[str, Any]:
        with activity_key(f"order-{time.monotonic_ns()}/run/payment"):
            key_first = await payments.charge_payment("u1", amount)
            again = await payments.charge_payment("u1", amount)  # the same call, run again after a crash
        assert again == key_first
        return key_first

    await env.run(charge, 25.0)
    outcomes = [e.outcome for e in ledger.entries(workflow_id) if e.activity == "charge_payment"]
    assert outcomes[-2:] == ["ok", "deduplicated"]
