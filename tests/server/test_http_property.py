"""OpenAPI-driven property test: requests generated from the service's own OpenAPI schema (valid and
invalid ones, by schemathesis) against a real uvicorn server never get a 5xx answer, and the answers match
the documented status codes and response schemas."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tdsl.server.engine import TemporalEngine
from tdsl.server.http.serving import HTTPService
from tests.server.helpers import unique

EXAMPLES = 400  # about 10 s on two cores


@pytest.fixture(scope="module")
async def base_url(engine: TemporalEngine) -> AsyncIterator[str]:
    service = HTTPService(engine, "127.0.0.1", 0)
    url = await service.start()
    yield url
    await service.stop()


def focused(schema: dict[str, Any], names: list[str], run_ids: list[str]) -> dict[str, Any]:
    """The schema with path parameters drawn from real names and ids (random strings would only ever meet
    404s) and waits kept short, so the generated requests reach every branch of the service quickly."""
    schema = copy.deepcopy(schema)
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "name":
                    choices = [*names, "approve", "reject", "state", "note", "poke", "pokes", "__progress"]
                    parameter["schema"] = {"type": "string", "enum": choices}
                elif parameter["in"] == "path" and parameter["name"] == "workflow_id":
                    parameter["schema"] = {"type": "string", "enum": run_ids}
                elif parameter["in"] == "query" and parameter["name"] == "wait":
                    parameter["schema"] = {
                        "anyOf": [{"type": "number", "minimum": 0, "maximum": 0.3}, {"type": "null"}]
                    }
            if path == "/definitions/{name}/runs":
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                body["properties"]["timeout"] = {
                    "anyOf": [{"type": "number", "minimum": 0, "maximum": 0.3}, {"type": "null"}]
                }
    return schema


async def test_generated_requests_never_get_a_server_error(base_url: str, engine: TemporalEngine) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        gate = unique("gate")
        await http.post("/definitions/gate/runs", json={"workflow_id": gate, "input": {}})
        greeting = (
            await http.post(
                "/definitions/greeting/runs",
                json={"input": {"key": unique("k"), "email": "ada@example.com"}, "wait": True, "timeout": 30},
            )
        ).json()
        raw = (await http.get("/openapi.json")).json()
    run_ids = [gate, greeting["workflow_id"], "no-such-run"]
    schema = schemathesis.openapi.from_dict(focused(raw, ["greeting", "gate", "Echo", "nothing"], run_ids))
    strategy = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )
    seen: dict[int, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, timeout=30)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        case.validate_response(
            response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
        )

    await asyncio.to_thread(check)
    # The generated requests reached the service's successes as well as its refusals.
    assert {200, 404, 422} <= set(seen), seen
    assert not [code for code in seen if code >= 500], seen
