"""``/runs``: status with progress, result, signals, queries, updates, cancel, terminate, listing."""

from __future__ import annotations

import httpx

from tdsl.server.engine import TemporalEngine
from tests.server.helpers import eventually, unique, waiting_for_signal
from tests.support import error_body


async def start_gate(http: httpx.AsyncClient, engine: TemporalEngine, **input: object) -> str:
    workflow_id = unique("gate")
    response = await http.post("/definitions/gate/runs", json={"workflow_id": workflow_id, "input": input})
    assert response.status_code == 201, response.text
    await waiting_for_signal(engine.require_runs(), workflow_id)
    return workflow_id


async def test_status_shows_the_definition_and_the_built_in_progress(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    workflow_id = await start_gate(http, engine)
    status = (await http.get(f"/runs/{workflow_id}")).json()
    assert status["workflow_id"] == workflow_id
    assert status["workflow_type"] == "gate"
    assert status["status"] == "RUNNING"
    assert (status["definition"], status["version"]) == ("gate", 1)
    assert status["sha256"] == engine.catalog.entries["gate"].sha256
    assert status["close_time"] is None
    progress = status["progress"]
    assert progress["definition"] == "gate"
    assert progress["current_steps"] == ["decision"]
    assert [w.get("signals") for w in progress["pending_waits"]] == [["approve", "reject"]]
    without = (await http.get(f"/runs/{workflow_id}", params={"progress": "false"})).json()
    assert without["progress"] is None
    await http.post(f"/runs/{workflow_id}/terminate")


async def test_result_is_202_while_running_then_200(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    workflow_id = await start_gate(http, engine)
    running = await http.get(f"/runs/{workflow_id}/result")
    assert running.status_code == 202
    assert running.json() == {"workflow_id": workflow_id, "status": "RUNNING", "result": None, "error": None}
    waited = await http.get(f"/runs/{workflow_id}/result", params={"wait": 0.2})
    assert waited.status_code == 202
    sent = await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": "ada"})
    assert sent.status_code == 202
    assert sent.json() == {"workflow_id": workflow_id, "signal": "approve", "accepted": True}
    done = await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})
    assert done.status_code == 200
    assert done.json()["result"] == {"state": "approved by ada", "notes": []}
    assert (await http.get(f"/runs/{workflow_id}")).json()["progress"]["status"] == "completed"


async def test_a_failed_run_reports_its_error(http: httpx.AsyncClient) -> None:
    key = unique("k")
    await http.post("/definitions/greeting/runs", json={"input": {"key": key, "email": "nobody"}})
    response = await http.get(f"/runs/greeting-{key}/result", params={"wait": 30})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "FAILED"
    assert body["error"]["type"] == "InvalidAddress"
    assert "invalid email address 'nobody'" in body["error"]["message"]


async def test_signals_are_checked_against_their_declaration_and_schema(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    workflow_id = await start_gate(http, engine)
    wrong = await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": 7, "extra": True})
    assert wrong.status_code == 422
    assert wrong.json() == error_body(
        "InvalidPayload",
        "payload of signal 'approve' does not match its schema",
        details={
            "errors": [
                {
                    "path": "$",
                    "message": "Additional properties are not allowed ('extra' was unexpected)",
                    "validator": "additionalProperties",
                },
                {"path": "$.by", "message": "7 is not of type 'string'", "validator": "type"},
            ]
        },
    )
    missing = await http.post(f"/runs/{workflow_id}/signals/reject")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["errors"] == [
        {"path": "$", "message": "None is not of type 'string'", "validator": "type"}
    ]
    undeclared = await http.post(f"/runs/{workflow_id}/signals/aprove", json={"by": "x"})
    assert undeclared.status_code == 404
    assert undeclared.json() == error_body(
        "UnknownSignal", "'gate' declares no signal 'aprove' (did you mean 'approve'?)"
    )
    assert (await http.get(f"/runs/{workflow_id}/queries/state")).json()["result"] == "waiting"
    assert (await http.post(f"/runs/{workflow_id}/signals/reject", json="too late")).status_code == 202
    result = (await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})).json()
    assert result["result"]["state"] == "rejected: too late"
    closed = await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": "ada"})
    assert closed.status_code == 409
    assert closed.json() == error_body(
        "RunNotRunning",
        f"run {workflow_id!r} is COMPLETED; it takes no signals",
        details={"workflow_id": workflow_id, "status": "COMPLETED"},
    )


async def test_queries_answer_declared_names_and_progress_also_after_the_run(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    workflow_id = await start_gate(http, engine)
    state = await http.get(f"/runs/{workflow_id}/queries/state")
    assert state.json() == {"workflow_id": workflow_id, "name": "state", "result": "waiting"}
    undeclared = await http.get(f"/runs/{workflow_id}/queries/stat")
    assert undeclared.status_code == 404
    assert undeclared.json() == error_body(
        "UnknownQuery", "'gate' declares no query 'stat' (did you mean 'state'?)"
    )
    await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": "bo"})
    await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})
    after = await http.get(f"/runs/{workflow_id}/queries/state")
    assert after.json()["result"] == "approved by bo"
    progress = await http.get(f"/runs/{workflow_id}/queries/__progress")
    assert progress.json()["result"]["completed_steps"][-1] == "decision"


async def test_updates_change_the_run_and_invalid_ones_are_rejected(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    workflow_id = await start_gate(http, engine)
    first = await http.post(f"/runs/{workflow_id}/updates/note", json={"text": "one"})
    assert first.status_code == 200
    assert first.json() == {"workflow_id": workflow_id, "name": "note", "result": ["one"]}
    assert (await http.post(f"/runs/{workflow_id}/updates/note", json={"text": "two"})).json()["result"] == [
        "one",
        "two",
    ]
    bad = await http.post(f"/runs/{workflow_id}/updates/note", json={"text": ""})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"] == [
        {"path": "$.text", "message": "'' should be non-empty", "validator": "minLength"}
    ]
    refused = await http.post(f"/runs/{workflow_id}/updates/note", json={"text": "forbidden"})
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "update 'note' rejected: that note is not allowed"
    undeclared = await http.post(f"/runs/{workflow_id}/updates/zzz", json={})
    assert undeclared.status_code == 404
    assert undeclared.json() == error_body(
        "UnknownUpdate", "'gate' declares no update 'zzz' (declared: note)"
    )
    await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": "cy"})
    result = (await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})).json()
    assert result["result"] == {"state": "approved by cy", "notes": ["one", "two"]}
    closed = await http.post(f"/runs/{workflow_id}/updates/note", json={"text": "late"})
    assert closed.status_code == 409
    assert closed.json()["error"]["type"] == "RunNotRunning"


async def test_cancel_ends_the_run_cancelled(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    workflow_id = await start_gate(http, engine)
    response = await http.post(f"/runs/{workflow_id}/cancel")
    assert response.status_code == 202
    assert response.json() == {"workflow_id": workflow_id, "status": "cancel_requested"}
    result = await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})
    assert result.status_code == 200
    assert result.json()["status"] == "CANCELED"
    again = await http.post(f"/runs/{workflow_id}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == f"run {workflow_id!r} is CANCELED; it takes no cancellation"


async def test_terminate_ends_the_run_at_once(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    workflow_id = await start_gate(http, engine)
    response = await http.post(f"/runs/{workflow_id}/terminate", json={"reason": "no longer needed"})
    assert response.status_code == 200
    assert response.json() == {"workflow_id": workflow_id, "status": "terminated"}
    result = (await http.get(f"/runs/{workflow_id}/result")).json()
    assert result["status"] == "TERMINATED"
    assert result["error"]["message"] == "no longer needed"
    assert (await http.post(f"/runs/{workflow_id}/terminate")).status_code == 409


async def test_unknown_runs_are_404_everywhere(http: httpx.AsyncClient) -> None:
    missing = unique("missing")
    expected = error_body("UnknownRun", f"no run with id {missing!r}")
    for method, path, body in [
        ("GET", f"/runs/{missing}", None),
        ("GET", f"/runs/{missing}/result", None),
        ("POST", f"/runs/{missing}/signals/approve", {"by": "x"}),
        ("GET", f"/runs/{missing}/queries/state", None),
        ("POST", f"/runs/{missing}/updates/note", {"text": "x"}),
        ("POST", f"/runs/{missing}/cancel", None),
        ("POST", f"/runs/{missing}/terminate", None),
    ]:
        response = await http.request(method, path, json=body)
        assert (response.status_code, response.json()) == (404, expected), path


async def test_list_recent_runs_of_a_definition(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    workflow_id = await start_gate(http, engine)

    async def listed() -> list[dict[str, object]]:
        runs = (
            await http.get("/runs", params={"definition": "gate", "status": "running", "limit": 50})
        ).json()
        return [r for r in runs["runs"] if r["workflow_id"] == workflow_id]

    found = await eventually(listed, what="the run in the visibility store")
    assert found[0]["workflow_type"] == "gate"
    assert found[0]["status"] == "RUNNING"
    assert found[0]["task_queue"] == engine.settings.temporal.task_queue
    bad = await http.get("/runs", params={"status": "sleeping"})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "unknown status 'sleeping'"
    await http.post(f"/runs/{workflow_id}/terminate")


async def test_workflow_ids_with_slashes_reach_every_run_route(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    # Child and batch runs have ids like "parent/step/batch-0"; the routes must not split them.
    workflow_id = f"team/{unique('gate')}/nested"
    started = await http.post("/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}})
    assert started.status_code == 201, started.text
    await waiting_for_signal(engine.require_runs(), workflow_id)
    status = await http.get(f"/runs/{workflow_id}")
    assert status.status_code == 200 and status.json()["workflow_id"] == workflow_id
    assert (await http.get(f"/runs/{workflow_id}/result")).status_code == 202
    assert (await http.post(f"/runs/{workflow_id}/signals/approve", json={"by": "ada"})).status_code == 202
    done = await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})
    assert done.status_code == 200 and done.json()["result"]["state"] == "approved by ada"
