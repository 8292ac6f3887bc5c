"""OpenAPI-driven property test: requests generated from the service's own OpenAPI schema (valid and
invalid ones, by schemathesis) against a real uvicorn server pass every check schemathesis has: never a
5xx, answers matching the documented status codes, content types, headers and schemas, 405 with ``Allow``
for methods a path does not take, invalid data rejected, and (with tokens configured) no answer without a
valid token."""

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
from schemathesis.checks import CHECKS, CheckFunction, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from tdsl.server.engine import TemporalEngine
from tdsl.server.http.deps import get_settings
from tdsl.server.http.serving import HTTPService
from tests.server.helpers import unique

EXAMPLES = 300  # per variant (without tokens, with a token): about 25 s for both on two cores

load_all_checks()
ALL_CHECKS: list[CheckFunction] = list(CHECKS.get_all())  # type: ignore[arg-type]


# The OpenAPI schema types a run input, a signal or update payload as "any JSON": each definition checks it
# against its own schema (422), which a schema shared by every definition cannot tell in advance. Elsewhere
# a schema-valid request must be accepted as the default check expects.
def config(token: str | None) -> SchemathesisConfig:
    """The checks' configuration; with ``token`` schemathesis sends it as the bearer token (and knows it, so
    its requests without it or with a wrong one are expected to get 401)."""
    data: dict[str, Any] = {
        "operations": [
            {
                "include-path-regex": "/(runs|signals/[^/]+|updates/[^/]+)$",
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
                    }
                },
            }
        ]
    }
    if token is not None:
        data["auth"] = {"openapi": {"HTTPBearer": {"bearer": token}}}
    return SchemathesisConfig.from_dict(data)


TOKEN = "property-secret"
MAX_WAIT = 0.3
PROTOCOL_ERROR = "Invalid HTTP request received."


@pytest.fixture(scope="module", params=["without tokens", "with a token"])
async def served(
    request: pytest.FixtureRequest, engine: TemporalEngine
) -> AsyncIterator[tuple[str, str | None]]:
    """The service's URL and its bearer token (``None``: no tokens configured). Waits are bounded short (the
    schema says so), so generated requests reach every branch of the service quickly."""
    service = HTTPService(engine, "127.0.0.1", 0)
    token = TOKEN if request.param == "with a token" else None
    http = engine.settings.http.model_copy(
        update={"tokens": [token] if token else [], "max_wait_seconds": MAX_WAIT}
    )
    settings = engine.settings.model_copy(update={"http": http})
    service.app.dependency_overrides[get_settings] = lambda: settings
    url = await service.start()
    yield url, token
    await service.stop()


def focused(schema: dict[str, Any], names: list[str], run_ids: list[str]) -> dict[str, Any]:
    """The schema with path parameters drawn from real names and ids (random strings would only ever meet
    404s)."""
    schema = copy.deepcopy(schema)
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "name":
                    choices = [*names, "approve", "reject", "state", "note", "poke", "pokes", "__progress"]
                    parameter["schema"] = {"type": "string", "enum": choices}
                elif parameter["in"] == "path" and parameter["name"] == "workflow_id":
                    parameter["schema"] = {"type": "string", "enum": run_ids}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            properties = body.get("schema", {}).get("properties", {})
            if "workflow_id" in properties:
                # Generated starts take the ids the service makes (never a short random one that a path
                # id "not in the enum" could name); any narrower schema of the id would be one the service
                # does not hold, and schemathesis would rightly send ids outside it.
                del properties["workflow_id"]
    return schema


async def test_generated_requests_pass_every_check(
    served: tuple[str, str | None], engine: TemporalEngine
) -> None:
    base_url, token = served
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        gate = unique("gate")
        await http.post("/definitions/gate/runs", json={"workflow_id": gate, "input": {}})
        raw = (await http.get("/openapi.json")).json()
    greeting = f"greeting-{unique('k')}"
    await engine.require_runs().execute(
        "greeting", {"key": greeting.removeprefix("greeting-"), "email": "ada@example.com"}, timeout=30
    )
    run_ids = [gate, greeting, "no-such-run"]
    schema = schemathesis.openapi.from_dict(
        focused(raw, ["greeting", "gate", "Echo", "nothing"], run_ids), config=config(token)
    )
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
        if response.text == PROTOCOL_ERROR:
            return  # uvicorn refused a malformed request (a header that is not HTTP) before the app ran
        case.validate_response(response, checks=ALL_CHECKS)

    await asyncio.to_thread(check)
    # The generated requests reached the service's successes as well as its refusals.
    assert {200, 404, 422} <= set(seen), seen
    assert not [code for code in seen if code >= 500], seen
