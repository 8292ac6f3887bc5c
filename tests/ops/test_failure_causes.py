"""A code-defined workflow's failure keeps its whole cause chain: the activity's own error (here the
registry's ``ArgumentError``) is in the result error, the outcome and the HTTP answer, not only in the worker
log."""

from __future__ import annotations

import uuid

import httpx
import pytest
from temporalio.client import Client

from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import RunDidNotComplete
from tdsl.server.http import create_app
from tests.server.helpers import make_settings

from .workflows import CallsWithoutArguments, ops_noop


async def test_the_cause_chain_of_a_code_workflow_failure_is_kept(client: Client, task_queue: str) -> None:
    engine = TemporalEngine(settings=make_settings(task_queue), client=client)
    engine.workers.register_workflow(CallsWithoutArguments)
    engine.activities.add(ops_noop, name="ops_noop")
    await engine.start()
    try:
        workflow_id = f"calls-{uuid.uuid4().hex[:8]}"
        with pytest.raises(RunDidNotComplete) as failed:
            await engine.workflows.execute(
                "CallsWithoutArguments", args={}, workflow_id=workflow_id, timeout_seconds=30
            )
        assert "ArgumentError: ops_noop: missing a required argument: 'n'" in str(failed.value)
        error = failed.value.record()["details"]["error"]
        assert error["type"] == "ActivityError"
        assert error["message"] == (
            "activity 'ops_noop' failed: ArgumentError: ops_noop: missing a required argument: 'n'"
        )
        causes = error["details"]["causes"]
        assert [c["type"] for c in causes] == ["ActivityError", "ArgumentError"]
        assert causes[0]["activity"] == "ops_noop"
        transport = httpx.ASGITransport(app=create_app(engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            answer = (await http.get(f"/runs/{workflow_id}/result")).json()
        assert answer["status"] == "FAILED"
        assert answer["error"] == error
    finally:
        await engine.stop()
