"""``/definitions``: listing, describing, and starting runs (idempotent starts, wait, delay)."""

from __future__ import annotations

import httpx

from tdsl.server.engine import TemporalEngine
from tests.server.helpers import unique
from tests.support import error_body

GREETING_INPUT_SCHEMA = {
    "type": "object",
    "required": ["key", "email"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "minLength": 1},
        "email": {"type": "string", "minLength": 3},
        "count": {"type": "integer", "minimum": 1},
    },
}


async def test_list_definitions_names_versions_sha256_and_invalid_files(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    response = await http.get("/definitions")
    assert response.status_code == 200
    body = response.json()
    by_name = {d["name"]: d for d in body["definitions"]}
    assert sorted(by_name) == ["Echo", "gate", "greeting"]
    greeting = by_name["greeting"]
    assert greeting["kind"] == "yaml"
    assert greeting["version"] == 2
    assert greeting["description"] == "Send a greeting by email."
    assert greeting["sha256"] == engine.catalog.entries["greeting"].sha256
    assert len(greeting["sha256"]) == 64
    assert by_name["Echo"] == {
        "name": "Echo",
        "kind": "code",
        "version": None,
        "sha256": None,
        "commit": None,
        "file": None,
        "description": "Echo a value once poked (a code-defined workflow beside the YAML definitions).",
    }
    assert [i["file"].rsplit("/", 1)[-1] for i in body["invalid"]] == ["broken.yaml"]
    errors = body["invalid"][0]["errors"]
    assert errors[0].endswith("broken.yaml:1:1: E103 'steps' is a required property")


async def test_describe_a_definition_with_schema_handlers_and_steps(http: httpx.AsyncClient) -> None:
    greeting = (await http.get("/definitions/greeting")).json()
    assert greeting["input_schema"] == GREETING_INPUT_SCHEMA
    assert greeting["id_template"] == "greeting-{{ input.key }}"
    assert greeting["steps"] == [
        {"kind": "activity", "id": "sent", "name": "Send the greeting", "activity": "send_email"}
    ]
    gate = (await http.get("/definitions/gate")).json()
    assert gate["signals"]["reject"] == {
        "description": "Reject with a reason.",
        "schema": {"type": "string", "minLength": 1},
    }
    assert gate["signals"]["approve"]["schema"]["required"] == ["by"]
    assert gate["queries"] == {
        "state": {"description": "waiting, approved by ..., rejected: ..., or timed out", "schema": None}
    }
    assert gate["updates"]["note"]["schema"]["required"] == ["text"]
    decision = gate["steps"][0]
    assert decision["kind"] == "wait_for"
    assert decision["signals"] == ["approve", "reject"]
    assert decision["timeout"] == "{{ input.timeout | default('1h') }}"
    assert decision["branches"]["approve"] == [{"kind": "set", "vars": ["state"]}]
    assert decision["on_timeout"] == [{"kind": "set", "vars": ["state"]}]


async def test_describe_a_code_workflow(http: httpx.AsyncClient) -> None:
    echo = (await http.get("/definitions/Echo")).json()
    assert echo["kind"] == "code"
    assert echo["signals"] == {"poke": {"description": None, "schema": None}}
    assert list(echo["queries"]) == ["pokes"]
    assert echo["parameters"] == ["value", "pokes_needed"]


async def test_unknown_definition_is_404_with_a_suggestion(http: httpx.AsyncClient) -> None:
    response = await http.get("/definitions/greetin")
    assert response.status_code == 404
    assert response.json() == error_body(
        "UnknownDefinition", "unknown definition or workflow 'greetin' (did you mean 'greeting'?)"
    )
    response = await http.post("/definitions/nothing_like_it/runs", json={"input": {}})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "unknown definition or workflow 'nothing_like_it'"
    response = await http.get("/definitions/broken")
    assert response.status_code == 404
    assert "broken.yaml has errors and was not loaded" in response.json()["error"]["message"]


async def test_start_and_wait_for_the_result(http: httpx.AsyncClient) -> None:
    key = unique("k")
    response = await http.post(
        "/definitions/greeting/runs",
        json={"input": {"key": key, "email": "ada@example.com"}, "wait": True, "timeout": 30},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["workflow_id"] == f"greeting-{key}"
    assert response.headers["location"] == f"/runs/greeting-{key}"
    assert body["existing"] is False
    assert body["status"] == "COMPLETED"
    assert body["result"] == {"key": key, "delivered": True}
    assert body["error"] is None


async def test_a_retried_start_returns_the_same_run(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    # The id template makes the start idempotent, both while the run is open and after it completed.
    key = unique("k")
    request = {"input": {"key": key, "email": "ada@example.com"}}
    first = await http.post("/definitions/greeting/runs", json=request)
    again = await http.post("/definitions/greeting/runs", json=request)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["existing"] is True
    assert again.json()["run_id"] == first.json()["run_id"]
    await engine.workflows.get_result(f"greeting-{key}", timeout_seconds=30)
    after = await http.post("/definitions/greeting/runs", json={**request, "wait": True})
    assert after.status_code == 200
    assert after.json()["existing"] is True
    assert after.json()["run_id"] == first.json()["run_id"]
    assert after.json()["result"] == {"key": key, "delivered": True}
    runs = await engine.workflows.list("greeting", limit=100)
    assert [r["run_id"] for r in runs if r["workflow_id"] == f"greeting-{key}"] in (
        [],
        [first.json()["run_id"]],
    )


async def test_a_failed_run_may_be_started_again_under_its_id(http: httpx.AsyncClient) -> None:
    key = unique("k")
    request = {"input": {"key": key, "email": "not-an-address"}, "wait": True, "timeout": 30}
    first = await http.post("/definitions/greeting/runs", json=request)
    assert first.json()["status"] == "FAILED"
    assert first.json()["error"]["type"] == "InvalidAddress"
    second = await http.post("/definitions/greeting/runs", json=request)
    assert second.status_code == 201
    assert second.json()["existing"] is False
    assert second.json()["run_id"] != first.json()["run_id"]


async def test_an_explicit_id_that_is_running_is_a_conflict(http: httpx.AsyncClient) -> None:
    workflow_id = unique("gate")
    first = await http.post("/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}})
    assert first.status_code == 201
    second = await http.post("/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}})
    assert second.status_code == 409
    assert second.json() == error_body(
        "RunAlreadyExists",
        f"a run with id {workflow_id!r} is already running",
        details={"workflow_id": workflow_id, "run_id": first.json()["run_id"]},
    )
    assert (await http.post(f"/runs/{workflow_id}/terminate")).status_code == 200


async def test_wait_that_times_out_answers_running(http: httpx.AsyncClient) -> None:
    workflow_id = unique("gate")
    response = await http.post(
        "/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}, "wait": True, "timeout": 0.3}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "RUNNING"
    assert response.json()["result"] is None
    await http.post(f"/runs/{workflow_id}/terminate", json={"reason": "test over"})


async def test_a_delayed_start_begins_later(http: httpx.AsyncClient) -> None:
    workflow_id = unique("gate")
    response = await http.post(
        "/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}, "delay": 3600}
    )
    assert response.status_code == 201
    status = (await http.get(f"/runs/{workflow_id}", params={"progress": "false"})).json()
    assert status["status"] == "RUNNING"
    assert status["history_length"] == 1  # started, but no workflow task until the delay has passed
    await http.post(f"/runs/{workflow_id}/terminate")


async def test_start_a_code_workflow_with_arguments_by_name(http: httpx.AsyncClient) -> None:
    workflow_id = unique("echo")
    response = await http.post(
        "/definitions/Echo/runs",
        json={"workflow_id": workflow_id, "input": {"value": {"a": 1}, "pokes_needed": 1}},
    )
    assert response.status_code == 201
    assert (await http.post(f"/runs/{workflow_id}/signals/poke", json="ada")).status_code == 202
    result = (await http.get(f"/runs/{workflow_id}/result", params={"wait": 30})).json()
    assert result == {
        "workflow_id": workflow_id,
        "status": "COMPLETED",
        "result": {"value": {"a": 1}, "pokes": ["ada"]},
        "error": None,
    }
