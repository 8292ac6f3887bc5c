"""The app factory: lifespan, health, OpenAPI docs, bearer-token auth."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from tdsl.server.config import Settings
from tdsl.server.engine import TemporalEngine
from tdsl.server.http import create_app
from tdsl.server.http.deps import get_settings
from tests.server.helpers import make_settings, unique
from tests.support import error_body


async def test_health_keeps_the_usage_guide_shape(
    http: httpx.AsyncClient, engine: TemporalEngine, temporal_address: str
) -> None:
    response = await http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["status", "temporal", "timestamp"]
    assert body["status"] == "healthy"
    temporal = body["temporal"]
    assert temporal["server"]["reachable"] is True
    assert temporal["namespace"] == "default"
    assert temporal["address"] == temporal_address
    assert temporal["task_queue"] == engine.settings.temporal.task_queue
    assert temporal["worker"]["state"] == "running"
    assert temporal["worker"]["code_workflows"] == ["Echo"]
    assert temporal["definitions"]["loaded"] == ["gate", "greeting"]
    assert [f.rsplit("/", 1)[-1] for f in temporal["definitions"]["invalid"]] == ["broken.yaml"]


async def test_openapi_schema_and_docs(http: httpx.AsyncClient) -> None:
    schema = (await http.get("/openapi.json")).json()
    assert sorted(schema["paths"]) == [
        "/definitions",
        "/definitions/{name}",
        "/definitions/{name}/graph",
        "/definitions/{name}/runs",
        "/definitions/{name}/upgrade",
        "/health",
        "/inspector/config",
        "/inspector/definitions/{name}/graph",
        "/inspector/runs/{workflow_id}",
        "/runs",
        "/runs/{workflow_id}",
        "/runs/{workflow_id}/cancel",
        "/runs/{workflow_id}/graph",
        "/runs/{workflow_id}/queries/{name}",
        "/runs/{workflow_id}/result",
        "/runs/{workflow_id}/signals/{name}",
        "/runs/{workflow_id}/terminate",
        "/runs/{workflow_id}/updates/{name}",
        "/schedules",
        "/schedules/apply",
        "/schedules/{schedule}",
        "/schedules/{schedule}/backfill",
        "/schedules/{schedule}/pause",
        "/schedules/{schedule}/trigger",
        "/schedules/{schedule}/unpause",
    ]
    start = schema["paths"]["/definitions/{name}/runs"]["post"]
    assert sorted(start["requestBody"]["content"]["application/json"]["schema"]["properties"]) == [
        "delay",
        "input",
        "timeout",
        "wait",
        "workflow_id",
    ]
    assert {"200", "201", "404", "409", "422"} <= set(start["responses"])
    docs = await http.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text


async def test_the_lifespan_starts_and_stops_an_engine_it_was_given(client: Client) -> None:
    engine = TemporalEngine(settings=make_settings(unique("life")), client=client)
    app = create_app(engine)
    async with app.router.lifespan_context(app):
        assert engine.is_ready
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http:
            assert (await http.get("/health")).json()["status"] == "healthy"
    assert not engine.is_started
    assert engine.health_check()["worker"]["state"] == "stopped"


async def test_the_lifespan_leaves_an_already_started_engine_running(engine: TemporalEngine) -> None:
    app = create_app(engine)
    async with app.router.lifespan_context(app):
        pass
    assert engine.is_ready


def with_tokens(app: FastAPI, engine: TemporalEngine, tokens: list[str]) -> None:
    settings = Settings.model_validate({**engine.settings.model_dump(), "http": {"tokens": tokens}})
    app.dependency_overrides[get_settings] = lambda: settings


async def test_bearer_tokens_guard_every_endpoint_but_health(engine: TemporalEngine) -> None:
    app = create_app(engine)
    with_tokens(app, engine, ["first-secret", "second-secret"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
        anonymous = await http.get("/definitions")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert anonymous.json() == error_body(
            "Unauthorized", "this endpoint requires an 'Authorization: Bearer <token>' header"
        )
        wrong = await http.get("/runs/x", headers={"Authorization": "Bearer first-secre"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["message"] == "the bearer token is not accepted"
        basic = await http.post("/definitions/greeting/runs", headers={"Authorization": "Basic Zm9vOmJhcg=="})
        assert basic.status_code == 401
        for token in ("first-secret", "second-secret"):
            allowed = await http.get("/definitions", headers={"Authorization": f"Bearer {token}"})
            assert allowed.status_code == 200
        assert (await http.get("/health")).status_code == 200
        # The schema is behind the token too; the docs page is not (it asks for the token to load it).
        assert (await http.get("/openapi.json")).status_code == 401
        schema = (await http.get("/openapi.json", headers={"Authorization": "Bearer first-secret"})).json()
        assert "HTTPBearer" in schema["components"]["securitySchemes"]
        docs = await http.get("/docs")
        assert docs.status_code == 200
        assert "const needsToken = true;" in docs.text
        assert "/definitions" not in docs.text


async def test_without_tokens_no_header_is_needed(http: httpx.AsyncClient) -> None:
    assert (await http.get("/definitions")).status_code == 200
