"""The seed's Python API: YAML definitions and code workflows side by side behind one engine."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tdsl.server.engine import TemporalEngine
from tdsl.server.runs import RunInfo, RunStatus

ORDER = {
    "user_id": "u-3",
    "items": [{"sku": "PEN-1", "quantity": 3}],
    "total": 9.0,
    "email": "bo@example.com",
}


def order(**changes: object) -> dict[str, object]:
    return {**ORDER, "order_id": str(uuid.uuid4()), **changes}


async def test_execute_a_yaml_definition_and_a_code_workflow(seed_engine: TemporalEngine) -> None:
    yaml_order, code_order = order(), order()
    yaml_result = await seed_engine.workflows.execute("order_processing", args=yaml_order, timeout_seconds=30)
    code_result = await seed_engine.workflows.execute(
        "OrderProcessingWorkflow",
        args=code_order,
        workflow_id=f"order-{code_order['order_id']}",
        timeout_seconds=30,
    )
    assert yaml_result["status"] == code_result["status"] == "completed"
    assert yaml_result["order_id"] == yaml_order["order_id"]
    assert code_result["transaction_id"].startswith("txn_")


async def test_get_status_of_yaml_and_code_runs(seed_engine: TemporalEngine) -> None:
    data = order()
    handle = await seed_engine.workflows.start("order_processing", args=data)
    assert handle.id == f"order-{data['order_id']}"
    await handle.result(timeout_seconds=30)
    status = await seed_engine.workflows.get_status(handle.id)
    assert isinstance(status, RunInfo)
    assert status.status is RunStatus.COMPLETED
    assert status.status.value == "COMPLETED"
    assert status.workflow_type == "order_processing"
    assert isinstance(status.start_time, datetime) and isinstance(status.close_time, datetime)
    entry = seed_engine.catalog.entries["order_processing"]
    assert (status.version, status.sha256) == (entry.version, entry.sha256)

    code = await seed_engine.workflows.start("OrderProcessingWorkflow", args=order())
    await code.result(timeout_seconds=30)
    code_status = await seed_engine.workflows.get_status(code.id)
    assert code_status.workflow_type == "OrderProcessingWorkflow"
    assert (code_status.version, code_status.sha256, code_status.progress) == (None, None, None)


async def test_get_result_raises_builtin_timeout_error_while_running(seed_engine: TemporalEngine) -> None:
    handle = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": "r-1"})
    with pytest.raises(TimeoutError) as waited:
        await seed_engine.workflows.get_result(handle.id, timeout_seconds=0.3)
    assert type(waited.value) is TimeoutError
    assert str(waited.value) == f"run {handle.id!r} did not finish within 0.3s"
    with pytest.raises(TimeoutError):
        await seed_engine.workflows.get_result(handle.id, timeout_seconds=0)
    await seed_engine.workflows.terminate(handle.id, "test over")


async def test_schedule_delays_a_yaml_definition_too(seed_engine: TemporalEngine) -> None:
    workflow_id = f"reminder-{uuid.uuid4().hex[:8]}"
    handle = await seed_engine.workflows.schedule(
        "send_reminder",
        {"user_id": "u-5", "message": "hello", "delay": 0},
        delay_seconds=0.5,
        workflow_id=workflow_id,
    )
    assert handle.id == workflow_id
    result = await handle.result(timeout_seconds=30)
    assert (result["user_id"], result["status"]) == ("u-5", "sent")
    status = await handle.status()
    assert status.execution_time is not None and status.start_time is not None
    assert (status.execution_time - status.start_time).total_seconds() >= 0.5


async def test_signal_query_and_cancel_a_code_workflow(seed_engine: TemporalEngine) -> None:
    handle = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": "r-2"})
    assert await seed_engine.workflows.query(handle.id, "is_approved") is False
    await seed_engine.workflows.signal(handle.id, "reject", "too expensive")
    assert await handle.result(timeout_seconds=30) == {"status": "rejected", "reason": "too expensive"}
    assert await handle.query("get_rejection_reason") == "too expensive"

    waiting = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": "r-3"})
    await seed_engine.workflows.cancel(waiting.id)
    outcome = await seed_engine.workflows.get_outcome(waiting.id, timeout_seconds=30)
    assert outcome.status is RunStatus.CANCELED


async def test_code_workflows_take_several_arguments(seed_engine: TemporalEngine) -> None:
    dataset = f"logs{uuid.uuid4().hex[:6]}-120"
    by_position = await seed_engine.workflows.execute(
        "DataProcessingWorkflow", args=[dataset, 50], timeout_seconds=30
    )
    by_name = await seed_engine.workflows.execute(
        "DataProcessingWorkflow", args={"dataset_id": dataset, "concurrency": 1}, timeout_seconds=30
    )
    alone = await seed_engine.workflows.execute("DataProcessingWorkflow", args=dataset, timeout_seconds=30)
    assert (by_position["batches"], by_name["batches"], alone["batches"]) == (3, 2, 2)
    assert by_position["processed"] == by_name["processed"] == alone["processed"] == 120


async def test_list_recent_runs(seed_engine: TemporalEngine) -> None:
    from tests.server.helpers import eventually

    handle = await seed_engine.workflows.start("OrderProcessingWorkflow", args=order())
    await handle.result(timeout_seconds=30)

    async def listed() -> list[dict[str, object]]:
        runs = await seed_engine.workflows.list("OrderProcessingWorkflow", limit=100)
        return [r for r in runs if r["workflow_id"] == handle.id]

    found = await eventually(listed, what="the run to be listed")
    assert found[0]["status"] == "COMPLETED"


def test_health_check_is_a_plain_call(seed_engine: TemporalEngine) -> None:
    health = seed_engine.health_check()
    assert isinstance(health, dict)
    assert health["namespace"] == "default"
    assert health["server"]["reachable"] is True
    assert health["worker"]["state"] == "running"
    assert seed_engine.is_ready
