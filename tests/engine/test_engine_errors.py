"""Every error the engine API raises: a distinct class and a clear message."""

from __future__ import annotations

import uuid

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.server import errors
from tdsl.server.engine import TemporalEngine
from tdsl.server.runs import RunService
from tests.server.helpers import make_settings

ORDER = {
    "user_id": "u-3",
    "items": [{"sku": "PEN-1", "quantity": 3}],
    "total": 9.0,
    "email": "bo@example.com",
}


async def test_unknown_definition_or_workflow(seed_engine: TemporalEngine) -> None:
    with pytest.raises(errors.UnknownDefinition) as unknown:
        await seed_engine.workflows.start("order_processin", args={})
    assert (
        str(unknown.value)
        == "unknown definition or workflow 'order_processin' (did you mean 'order_processing'?)"
    )
    assert errors.UnknownWorkflow is errors.UnknownDefinition
    with pytest.raises(errors.UnknownDefinition) as nothing:
        await seed_engine.workflows.execute("Teleport", args={})
    assert str(nothing.value) == "unknown definition or workflow 'Teleport'"


async def test_input_failing_the_definition_schema(seed_engine: TemporalEngine) -> None:
    with pytest.raises(errors.InvalidInput) as invalid:
        await seed_engine.workflows.start("order_processing", args={**ORDER, "order_id": "", "total": "9"})
    assert type(invalid.value) is errors.InvalidInput
    assert invalid.value.message == "input of 'order_processing' does not match its schema"
    assert invalid.value.errors == [
        {"path": "$.order_id", "message": "'' should be non-empty", "validator": "minLength"},
        {"path": "$.total", "message": "'9' is not of type 'number'", "validator": "type"},
    ]
    with pytest.raises(errors.InvalidInput) as code:
        await seed_engine.workflows.start("OrderProcessingWorkflow", args="not an order")
    assert code.value.message == "input of 'OrderProcessingWorkflow' does not match its run() parameters"
    assert code.value.errors[0]["path"] == "$"


async def test_id_already_running(seed_engine: TemporalEngine) -> None:
    workflow_id = f"approval-{uuid.uuid4().hex[:8]}"
    first = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": 1}, workflow_id=workflow_id)
    with pytest.raises(errors.RunAlreadyExists) as again:
        await seed_engine.workflows.start("ApprovalWorkflow", args={"id": 1}, workflow_id=workflow_id)
    assert str(again.value) == f"a run with id {workflow_id!r} is already running"
    assert (again.value.workflow_id, again.value.run_id) == (workflow_id, first.run_id)
    await seed_engine.workflows.terminate(workflow_id)


async def test_unknown_signal_query_and_update(seed_engine: TemporalEngine) -> None:
    handle = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": 2})
    with pytest.raises(errors.UnknownSignal) as signal:
        await seed_engine.workflows.signal(handle.id, "aprove")
    with pytest.raises(errors.UnknownQuery) as query:
        await seed_engine.workflows.query(handle.id, "is_aproved")
    with pytest.raises(errors.UnknownUpdate) as update:
        await seed_engine.workflows.update(handle.id, "approve")
    assert str(signal.value) == "'ApprovalWorkflow' declares no signal 'aprove' (did you mean 'approve'?)"
    assert (
        str(query.value) == "'ApprovalWorkflow' declares no query 'is_aproved' (did you mean 'is_approved'?)"
    )
    assert str(update.value) == "'ApprovalWorkflow' declares no update 'approve' (it declares none)"
    assert all(isinstance(e.value, errors.UnknownHandler) for e in (signal, query, update))
    await seed_engine.workflows.terminate(handle.id)


async def test_unknown_and_closed_runs(seed_engine: TemporalEngine) -> None:
    with pytest.raises(errors.UnknownRun) as unknown:
        await seed_engine.workflows.get_status("order-does-not-exist")
    assert str(unknown.value) == "no run with id 'order-does-not-exist'"
    handle = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": 3, "timeout_seconds": 0.1})
    await handle.result(timeout_seconds=30)
    with pytest.raises(errors.RunNotRunning) as closed:
        await seed_engine.workflows.signal(handle.id, "approve")
    assert str(closed.value) == f"run {handle.id!r} is COMPLETED; it takes no signals"


async def test_a_failed_run(seed_engine: TemporalEngine) -> None:
    data = {**ORDER, "order_id": str(uuid.uuid4()), "email": "no-at-sign"}
    with pytest.raises(errors.RunDidNotComplete) as failed:
        await seed_engine.workflows.execute("order_processing", args=data, timeout_seconds=30)
    assert failed.value.status == "FAILED"
    assert str(failed.value).startswith(f"run 'order-{data['order_id']}' failed: InvalidAddress: ")
    assert failed.value.error_type == "InvalidAddress"
    record = failed.value.record()
    assert (record["type"], record["step"], record["file"]) == (
        "RunDidNotComplete",
        "confirmation",
        "order_processing.yaml",
    )
    assert isinstance(record["line"], int)
    assert record["details"]["status"] == "FAILED"
    assert record["details"]["error"]["type"] == "InvalidAddress"
    assert record["details"]["error"]["step"] == "confirmation"


async def test_a_refusal_about_a_closed_run_is_told_from_the_run_not_the_text(
    seed_engine: TemporalEngine,
) -> None:
    """Temporal answers NOT_FOUND both for no such run and for a run that closed meanwhile: the run's
    description tells which."""
    runs = seed_engine.require_runs()
    handle = await seed_engine.workflows.start("ApprovalWorkflow", args={"id": 4, "timeout_seconds": 0.1})
    await handle.result(timeout_seconds=30)
    refusal = RPCError("anything at all", RPCStatusCode.NOT_FOUND, b"")
    closed = await runs.messenger._refused(refusal, handle.id, "signals")
    assert isinstance(closed, errors.RunNotRunning)
    assert closed.record()["details"] == {"workflow_id": handle.id, "status": "COMPLETED"}
    missing = await runs.messenger._refused(refusal, f"nothing-{uuid.uuid4()}", "signals")
    assert isinstance(missing, errors.UnknownRun)


async def test_definition_calling_unregistered_activities(seed_engine: TemporalEngine) -> None:
    entry = load_definition_text("name: beam\nsteps:\n  - activity: teleport\n", "<test>")
    seed_engine.catalog.add(entry)
    try:
        with pytest.raises(errors.ActivitiesNotRegistered) as not_runnable:
            await seed_engine.workflows.start("beam")
    finally:
        del seed_engine.catalog.entries["beam"]
    assert str(not_runnable.value) == "'beam' calls activities that are not registered: teleport"


async def test_not_started_and_disabled_engines() -> None:
    idle = TemporalEngine(settings=make_settings("unused"))
    with pytest.raises(errors.EngineNotReady) as not_started:
        await idle.workflows.start("greeting", {})
    assert str(not_started.value) == "the engine is not started; await engine.start() first"
    settings = make_settings("unused")
    settings.temporal.enabled = False
    disabled = TemporalEngine(settings=settings)
    await disabled.start()
    assert not disabled.is_ready
    with pytest.raises(errors.EngineNotReady) as off:
        await disabled.workflows.get_status("x")
    assert str(off.value) == "Temporal is disabled in the configuration (temporal.enabled: false)"


async def test_an_unreachable_server() -> None:
    settings = make_settings("unused")
    settings.temporal.url = "127.0.0.1:1"
    engine = TemporalEngine(settings=settings)
    with pytest.raises(errors.EngineNotReady) as unreachable:
        await engine.start()
    # In a sentence, without the transport's internals.
    assert str(unreachable.value) == (
        "cannot connect to Temporal at 127.0.0.1:1: connection refused (is the server running?)"
    )


def test_every_error_maps_to_a_client_status() -> None:
    statuses = {
        cls.__name__: cls.status_code
        for cls in (
            errors.UnknownDefinition,
            errors.UnknownRun,
            errors.UnknownSignal,
            errors.InvalidInput,
            errors.InvalidPayload,
            errors.ActivitiesNotRegistered,
            errors.RunAlreadyExists,
            errors.RunNotRunning,
            errors.RunDidNotComplete,
            errors.QueryFailed,
            errors.UpdateFailed,
            errors.EngineNotReady,
        )
    }
    assert statuses == {
        "UnknownDefinition": 404,
        "UnknownRun": 404,
        "UnknownSignal": 404,
        "InvalidInput": 422,
        "InvalidPayload": 422,
        "ActivitiesNotRegistered": 422,
        "RunAlreadyExists": 409,
        "RunNotRunning": 409,
        "RunDidNotComplete": 409,
        "QueryFailed": 409,
        "UpdateFailed": 409,
        "EngineNotReady": 503,
    }


def test_temporal_rpc_errors_become_engine_errors() -> None:
    def mapped(status: RPCStatusCode, message: str) -> errors.EngineError:
        return RunService._rpc_error(RPCError(message, status, b""), "wf-1")

    cases = [
        (
            mapped(RPCStatusCode.NOT_FOUND, "workflow not found for ID: wf-1"),
            errors.UnknownRun,
            "no run with id 'wf-1'",
        ),
        (  # the status code decides, never the text: whether the run closed is asked of the run itself
            mapped(RPCStatusCode.NOT_FOUND, "workflow execution already completed"),
            errors.UnknownRun,
            "no run with id 'wf-1'",
        ),
        (
            mapped(RPCStatusCode.INVALID_ARGUMENT, "WorkflowId length exceeds limit."),
            errors.InvalidInput,
            "Temporal rejected the request as invalid; the details are in the server log",
        ),
        (
            mapped(RPCStatusCode.UNAVAILABLE, "connection refused"),
            errors.EngineNotReady,
            "Temporal did not answer (UNAVAILABLE); the details are in the server log",
        ),
        (
            mapped(RPCStatusCode.RESOURCE_EXHAUSTED, "namespace rate limit"),
            errors.TemporalRefused,
            "Temporal refused the request (RESOURCE_EXHAUSTED); the details are in the server log",
        ),
    ]
    assert [(type(error), str(error)) for error, _, _ in cases] == [(cls, text) for _, cls, text in cases]
