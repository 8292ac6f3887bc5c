"""``tdsl run`` as a user runs it: a subprocess against the session server, with a worker in this process."""

from __future__ import annotations

import json
import uuid
from typing import Any

from temporalio.client import Client

from tdsl.activities.examples import ledger
from tests.server.cli import ROOT, tdsl
from tests.support import harness

ORDER: dict[str, Any] = json.loads((ROOT / "examples" / "order.json").read_text(encoding="utf-8"))


def connection(address: str, task_queue: str) -> list[str]:
    return ["--address", address, "--task-queue", task_queue]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def test_run_prints_the_result_as_json(client: Client, temporal_address: str, task_queue: str) -> None:
    workflow_id = unique("cli-order")
    async with harness(client, task_queue):
        done = await tdsl("run", "order_processing", "--input", "@examples/order.json", "--id", workflow_id,
                          *connection(temporal_address, task_queue))
    assert (done.code, done.err) == (0, ""), done.err
    [charge] = [e for e in ledger.entries(workflow_id) if e.activity == "charge_payment"]
    expected = {"order_id": ORDER["order_id"], "status": "completed",
                "transaction_id": charge.result["transaction_id"]}
    assert json.loads(done.out) == expected
    assert done.out == json.dumps(expected, indent=2) + "\n"
    assert ledger.calls(workflow_id) == ["charge_payment", "reserve_inventory", "send_email"]


async def test_no_wait_prints_the_workflow_id(client: Client, temporal_address: str, task_queue: str) -> None:
    workflow_id = unique("cli-nowait")
    async with harness(client, task_queue):
        done = await tdsl("run", "order_processing", "--input", json.dumps(ORDER), "--id", workflow_id,
                          "--no-wait", *connection(temporal_address, task_queue))
        assert (done.code, done.err) == (0, ""), done.err
        printed = json.loads(done.out)
        assert printed["workflow_id"] == workflow_id
        assert printed["existing"] is False
        handle = client.get_workflow_handle(workflow_id)
        assert (await handle.describe()).run_id == printed["run_id"]
        assert (await handle.result())["status"] == "completed"


async def test_bad_json_input_is_a_usage_error(temporal_address: str, task_queue: str) -> None:
    done = await tdsl("run", "order_processing", "--input", '{"order_id": ',
                      *connection(temporal_address, task_queue))
    assert done.code == 2
    assert done.out == ""
    assert done.err == "tdsl: error: not valid JSON (Expecting value at line 1 column 14)\n"


async def test_missing_input_file_is_a_usage_error(temporal_address: str, task_queue: str) -> None:
    done = await tdsl("run", "order_processing", "--input", "@examples/no-such-order.json",
                      *connection(temporal_address, task_queue))
    assert done.code == 2
    assert done.err == "tdsl: error: cannot read examples/no-such-order.json: No such file or directory\n"


async def test_invalid_input_lists_every_error_and_starts_nothing(
    client: Client, temporal_address: str, task_queue: str
) -> None:
    workflow_id = unique("cli-invalid")
    bad = {"order_id": "A-1", "items": [{"sku": "B"}], "total": 0, "email": "ada@example.com"}
    done = await tdsl("run", "order_processing", "--input", json.dumps(bad), "--id", workflow_id,
                      *connection(temporal_address, task_queue))
    assert done.code == 1
    assert done.out == ""
    assert done.err.splitlines() == [
        "tdsl: error: input of 'order_processing' does not match its schema",
        "  $: 'user_id' is a required property",
        "  $.items[0]: 'quantity' is a required property",
        "  $.total: 0 is less than or equal to the minimum of 0",
    ]
    assert [w async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")] == []


async def test_unknown_definition_and_failed_run_exit_non_zero_without_traceback(
    client: Client, temporal_address: str, task_queue: str
) -> None:
    done = await tdsl("run", "order_procesing", "--input", "{}", *connection(temporal_address, task_queue))
    assert (done.code, done.out) == (1, "")
    assert done.err.startswith("tdsl: error: unknown definition")
    assert done.err.endswith("'order_procesing' (did you mean 'order_processing'?)\n")

    workflow_id = unique("cli-fails")
    out_of_stock = {**ORDER, "items": [{"sku": "OUT-OF-STOCK-3", "quantity": 1}]}
    async with harness(client, task_queue):
        done = await tdsl("run", "order_processing", "--input", json.dumps(out_of_stock), "--id", workflow_id,
                          *connection(temporal_address, task_queue))
    assert (done.code, done.out) == (1, "")
    assert done.err.startswith(
        f"tdsl: error: run '{workflow_id}' failed: OutOfStock: order_processing.yaml:38: step 'inventory' "
        "failed: OutOfStock: "
        "out of stock: OUT-OF-STOCK-3"
    )
    assert "refund_payment" in done.err
    assert "Traceback" not in done.err
