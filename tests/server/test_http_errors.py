"""Every client mistake is a 4xx JSON answer with a clear message, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tests.server.helpers import make_settings, unique
from tests.support import error_body


async def test_malformed_json_is_400(http: httpx.AsyncClient) -> None:
    for path in (
        "/definitions/greeting/runs",
        "/runs/x/signals/approve",
        "/runs/x/updates/note",
        "/runs/x/terminate",
    ):
        response = await http.post(
            path, content=b'{"input": {"key": "a",}}', headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, path
        assert response.json() == error_body(
            "MalformedJSON",
            "request body is not valid JSON: Expecting property name enclosed in double quotes "
            "(line 1 column 23)",
        )


async def test_bodies_that_are_not_json_text_are_400(http: httpx.AsyncClient) -> None:
    json_type = {"content-type": "application/json"}
    not_utf8 = await http.post("/definitions/greeting/runs", content=b"\xff\xfe{}", headers=json_type)
    assert not_utf8.status_code == 400
    assert not_utf8.json()["error"]["message"] == "request body is not valid JSON: it is not UTF-8 text"
    nan = await http.post("/definitions/greeting/runs", content=b'{"input": {"key": NaN}}', headers=json_type)
    assert nan.status_code == 400
    assert nan.json()["error"]["message"] == "request body is not valid JSON: NaN is not a JSON value"


async def test_a_start_body_of_the_wrong_shape_is_422(http: httpx.AsyncClient) -> None:
    not_object = await http.post("/definitions/greeting/runs", json=[1, 2])
    assert not_object.status_code == 422
    assert not_object.json()["error"]["details"]["errors"] == [
        {
            "path": "body",
            "message": "Input should be a valid dictionary or instance of StartRequest",
            "validator": "model_type",
        }
    ]
    unwrapped = await http.post("/definitions/greeting/runs", json={"key": "a", "email": "a@b.c"})
    assert unwrapped.status_code == 422
    assert unwrapped.json()["error"]["details"]["errors"] == [
        {
            "path": "body.key",
            "message": "Extra inputs are not permitted (the run input goes under 'input')",
            "validator": "extra_forbidden",
        },
        {
            "path": "body.email",
            "message": "Extra inputs are not permitted (the run input goes under 'input')",
            "validator": "extra_forbidden",
        },
    ]
    types = await http.post(
        "/definitions/greeting/runs", json={"wait": "soon", "delay": -1, "workflow_id": ""}
    )
    assert types.status_code == 422
    assert [(e["path"], e["validator"]) for e in types.json()["error"]["details"]["errors"]] == [
        ("body.workflow_id", "string_too_short"),
        ("body.wait", "bool_parsing"),
        ("body.delay", "greater_than_equal"),
    ]


async def test_input_failing_the_schema_lists_every_error_with_its_path(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/definitions/greeting/runs", json={"input": {"key": "", "count": 0, "colour": "red"}}
    )
    assert response.status_code == 422
    assert response.json() == error_body(
        "InvalidInput",
        "input of 'greeting' does not match its schema",
        details={
            "errors": [
                {"path": "$", "message": "'email' is a required property", "validator": "required"},
                {
                    "path": "$",
                    "message": "Additional properties are not allowed ('colour' was unexpected)",
                    "validator": "additionalProperties",
                },
                {"path": "$.count", "message": "0 is less than the minimum of 1", "validator": "minimum"},
                {"path": "$.key", "message": "'' should be non-empty", "validator": "minLength"},
            ]
        },
    )
    empty = await http.post("/definitions/greeting/runs")
    assert empty.status_code == 422
    assert empty.json()["error"]["details"]["errors"] == [
        {"path": "$", "message": "None is not of type 'object'", "validator": "type"}
    ]


async def test_code_workflow_input_of_the_wrong_type_is_422(http: httpx.AsyncClient) -> None:
    response = await http.post("/definitions/Echo/runs", json={"input": ["not a dict", "x"]})
    assert response.status_code == 422
    assert response.json() == error_body(
        "InvalidInput",
        "input of 'Echo' does not match its run() parameters",
        details={
            "errors": [
                {
                    "path": "$[0]",
                    "message": "value: Expected dict[str, typing.Any], value was <class 'str'>",
                    "validator": "type",
                },
                {
                    "path": "$[1]",
                    "message": "pokes_needed: Expected value to be int|float, was <class 'str'>",
                    "validator": "type",
                },
            ]
        },
    )
    too_many = await http.post("/definitions/Echo/runs", json={"input": [{}, 1, 2]})
    assert too_many.json()["error"]["message"] == "'Echo' takes at most 2 argument(s)"


async def test_code_workflow_handlers_are_checked(http: httpx.AsyncClient) -> None:
    workflow_id = unique("echo")
    await http.post("/definitions/Echo/runs", json={"workflow_id": workflow_id, "input": {"value": {}}})
    signal = await http.post(f"/runs/{workflow_id}/signals/pok", json="x")
    assert signal.status_code == 404
    assert signal.json()["error"]["message"] == "'Echo' declares no signal 'pok' (did you mean 'poke'?)"
    query = await http.get(f"/runs/{workflow_id}/queries/count")
    assert query.status_code == 404
    assert query.json()["error"]["message"] == "'Echo' declares no query 'count' (declared: pokes)"
    update = await http.post(f"/runs/{workflow_id}/updates/anything", json=1)
    assert update.json()["error"]["message"] == "'Echo' declares no update 'anything' (it declares none)"
    await http.post(f"/runs/{workflow_id}/terminate")


async def test_oversized_bodies_are_413_without_being_read(engine: TemporalEngine) -> None:
    small = TemporalEngine(settings=make_settings("unused", max_body_bytes=100), client=engine.client)
    small.runs = engine.runs  # share the started engine's run service; this app only checks sizes
    app = create_app(small)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        declared = await http.post(
            "/definitions/greeting/runs",
            content=b"{" + b" " * 200 + b"}",
            headers={"content-type": "application/json"},
        )
        assert declared.status_code == 413
        assert declared.json() == error_body("PayloadTooLarge", "request body larger than 100 bytes")

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"input": '
            for _ in range(100):
                yield b'"xxxxxxxxxx", '

        streamed = await http.post(
            "/runs/x/signals/approve", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert streamed.json() == error_body("PayloadTooLarge", "request body larger than 100 bytes")
        fits = await http.post("/definitions/greeting/runs", json={"input": {"key": 1}})
        assert fits.status_code == 422


async def test_waits_are_bounded(http: httpx.AsyncClient, engine: TemporalEngine) -> None:
    limit = engine.settings.http.max_wait_seconds
    response = await http.get("/runs/x/result", params={"wait": limit + 1})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == f"wait must be between 0 and {limit:g} seconds"
    negative = await http.get("/runs/x/result", params={"wait": -1})
    assert negative.status_code == 422
    assert negative.json()["error"]["details"]["errors"][0]["path"] == "query.wait"
    start = await http.post("/definitions/gate/runs", json={"input": {}, "wait": True, "timeout": 10**9})
    assert start.status_code == 422
    assert start.json()["error"]["message"] == f"timeout must be between 0 and {limit:g} seconds"


async def test_bad_query_parameters_and_unknown_endpoints(http: httpx.AsyncClient) -> None:
    limit = await http.get("/runs", params={"limit": "many"})
    assert limit.status_code == 422
    assert limit.json()["error"]["details"]["errors"] == [
        {
            "path": "query.limit",
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "validator": "int_parsing",
        }
    ]
    nowhere = await http.get("/nowhere")
    assert nowhere.status_code == 404
    assert nowhere.json() == error_body("NotFound", "no endpoint GET /nowhere; see /docs")
    wrong_method = await http.delete("/definitions")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET"
    assert wrong_method.json() == error_body(
        "MethodNotAllowed", "DELETE is not allowed on /definitions (allowed: GET)"
    )


@pytest.fixture
async def idle_engine() -> TemporalEngine:
    # Never started: the service answers, but cannot reach Temporal.
    return TemporalEngine(settings=make_settings("unused"))


async def test_an_engine_that_is_not_started_answers_503_and_degraded(idle_engine: TemporalEngine) -> None:
    app = create_app(idle_engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        response = await http.get("/definitions")
        assert response.status_code == 503
        assert response.json() == error_body(
            "EngineNotReady", "the engine is not started; await engine.start() first"
        )
        health = await http.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["temporal"]["worker"]["state"] == "stopped"
