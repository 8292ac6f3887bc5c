"""A hostile client: pages of other sites steering runs through the developer's browser (CSRF, DNS rebinding),
text that would break runs for good, and answers that would disclose the server's internals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tdsl.server.engine import TemporalEngine
from tdsl.server.errors import InvalidRequest
from tdsl.server.http import create_app
from tdsl.server.http.deps import get_settings
from tests.server.helpers import DEFINITIONS, FIXTURES, make_settings, unique, waiting_for_signal
from tests.support import error_body

TEXT = {"content-type": "text/plain"}


async def open_gate(http: httpx.AsyncClient, engine: TemporalEngine) -> str:
    workflow_id = unique("gate")
    started = await http.post("/definitions/gate/runs", json={"workflow_id": workflow_id, "input": {}})
    assert started.status_code == 201, started.text
    await waiting_for_signal(engine.require_runs(), workflow_id)
    return workflow_id


async def state_of(http: httpx.AsyncClient, workflow_id: str) -> Any:
    return (await http.get(f"/runs/{workflow_id}/queries/state")).json()["result"]


async def test_simple_cross_site_requests_cannot_start_cancel_or_signal(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    gate = await open_gate(http, engine)
    # What a form or fetch(..., {mode: "no-cors"}) of any page can send without a preflight.
    other = unique("gate")
    start = await http.post(
        "/definitions/gate/runs", content=json.dumps({"workflow_id": other, "input": {}}), headers=TEXT
    )
    assert start.status_code == 415
    assert start.json() == error_body(
        "UnsupportedMediaType", "the body must be application/json, not 'text/plain'"
    )
    assert (await http.get(f"/runs/{other}")).status_code == 404
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert (await http.post(f"/runs/{gate}/cancel", content=b"", headers=form)).status_code == 415
    approve = await http.post(f"/runs/{gate}/signals/approve", content=b'{"by": "mallory"}', headers=TEXT)
    assert approve.status_code == 415
    xml = {"content-type": "application/xml"}
    assert (await http.post(f"/runs/{gate}/updates/note", content=b"<a/>", headers=xml)).status_code == 415
    untyped = await http.post(f"/runs/{gate}/signals/approve", content=b'{"by": "mallory"}')
    assert untyped.json() == error_body(
        "UnsupportedMediaType", "the body must be sent as Content-Type: application/json"
    )
    # JSON from another origin (a page that got a preflight past a permissive proxy, say) is refused too.
    evil = {"origin": "http://evil.example"}
    cross = await http.post(f"/runs/{gate}/signals/approve", json={"by": "mallory"}, headers=evil)
    assert cross.status_code == 403
    assert cross.json() == error_body(
        "Forbidden", "cross-origin request from 'http://evil.example' refused (see http.allowed_origins)"
    )
    assert (await http.post(f"/runs/{gate}/cancel", headers={"origin": "null"})).status_code == 403
    fetch_site = {"sec-fetch-site": "cross-site"}
    assert (await http.post(f"/runs/{gate}/cancel", headers=fetch_site)).status_code == 403
    # Another site's page may read nothing either way; reads are not refused for their Origin.
    assert (await http.get(f"/runs/{gate}", headers=evil)).status_code == 200
    assert await state_of(http, gate) == "waiting"
    # A page of this service (same-origin fetch with JSON), and clients that are not browsers, work.
    same = {"origin": "http://localhost", "sec-fetch-site": "same-origin"}
    note = await http.post(f"/runs/{gate}/updates/note", json={"text": "from the UI"}, headers=same)
    assert note.status_code == 200, note.text
    approved = await http.post(f"/runs/{gate}/signals/approve", json={"by": "ada"})
    assert approved.status_code == 202
    assert (await http.get(f"/runs/{gate}/result", params={"wait": 10})).json()["status"] == "COMPLETED"


@pytest.fixture
async def configured(engine: TemporalEngine) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        "unused", allowed_hosts=["api.example.com"], allowed_origins=["https://app.example.com"]
    )
    shared = TemporalEngine(settings=settings, client=engine.client)
    shared.runs = engine.runs  # the started engine's run service; this app only checks hosts and origins
    app = create_app(shared)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.example.com") as http:
        yield http


async def test_only_the_hosts_it_serves_are_answered(
    http: httpx.AsyncClient, configured: httpx.AsyncClient
) -> None:
    # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
    rebound = await http.get("/health", headers={"host": "evil.example:8000"})
    assert rebound.status_code == 400
    assert rebound.json() == error_body(
        "HostNotAllowed", "host 'evil.example:8000' is not served here (see http.allowed_hosts)"
    )
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"):
        assert (await http.get("/health", headers={"host": host})).status_code == 200, host
    # Configured hosts replace the defaults; configured origins may send state-changing requests.
    assert (await configured.get("/health")).status_code == 200
    assert (await configured.get("/health", headers={"host": "localhost"})).status_code == 400
    app_origin = {"origin": "https://app.example.com"}
    listed = await configured.post("/runs/no-such-run/cancel", headers=app_origin)
    assert listed.status_code == 404
    other = await configured.post("/runs/no-such-run/cancel", headers={"origin": "https://example.com"})
    assert other.status_code == 403


async def test_text_that_would_break_runs_is_refused_before_anything_starts(
    http: httpx.AsyncClient, engine: TemporalEngine
) -> None:
    json_type = {"content-type": "application/json"}
    surrogate_id = unique("surrogate")
    # Valid JSON (json.dumps writes the lone surrogate as the escape \udc00), but not Unicode text.
    body = json.dumps({"workflow_id": surrogate_id, "input": {"timeout": "\udc00"}})
    start = await http.post("/definitions/gate/runs", content=body, headers=json_type)
    assert start.status_code == 422
    message = "contains a lone surrogate (U+DC00), which is not Unicode text"
    assert start.json() == error_body(
        "InvalidRequest",
        f"invalid body: {message}",
        details={"errors": [{"path": "body.input.timeout", "message": message, "validator": "text"}]},
    )
    assert (await http.get(f"/runs/{surrogate_id}")).status_code == 404

    gate = await open_gate(http, engine)
    signal = await http.post(f"/runs/{gate}/signals/reject", content='"\\udc00"', headers=json_type)
    assert signal.status_code == 422
    deep = "[" * 10_000 + "]" * 10_000
    nested = {"type": "InvalidRequest", "message": "invalid body: nested deeper than 100 levels"}
    for path in (f"/runs/{gate}/signals/reject", f"/runs/{gate}/updates/note", "/definitions/gate/runs"):
        answer = await http.post(path, content=deep, headers=json_type)
        assert answer.status_code == 422, path
        assert {k: answer.json()["error"][k] for k in nested} == nested
    deep_input = '{"input": ' + "[" * 150 + "]" * 150 + "}"
    assert (
        await http.post("/definitions/gate/runs", content=deep_input, headers=json_type)
    ).status_code == 422
    huge = await http.post(
        "/definitions/gate/runs", content='{"input": {"timeout": 1e400}}', headers=json_type
    )
    assert huge.status_code == 422
    assert huge.json()["error"]["details"]["errors"][0]["path"] == "body.input.timeout"
    # The run is untouched and still answers.
    assert (await http.get(f"/runs/{gate}/result")).status_code == 202
    assert await state_of(http, gate) == "waiting"

    nul = await http.get("/runs", params={"definition": "a\x00b"})
    assert nul.status_code == 422
    assert (
        nul.json()["error"]["message"]
        == "invalid definition: contains a control character (U+0000 at index 1)"
    )
    for bad in ("a\x00b", "a\rb", "a\nb", "a\x1b[2Jb"):
        refused = await http.post("/definitions/gate/runs", json={"workflow_id": bad, "input": {}})
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["type"] == "InvalidRequest"
    await http.post(f"/runs/{gate}/terminate")


async def test_the_engine_api_checks_the_same_text(engine: TemporalEngine) -> None:
    runs = engine.require_runs()
    with pytest.raises(InvalidRequest, match="control character"):
        await runs.start("gate", {}, workflow_id="line\nbreak")
    with pytest.raises(InvalidRequest, match="lone surrogate"):
        await runs.start("gate", {"timeout": "\udc00"})
    with pytest.raises(InvalidRequest, match="nested deeper"):
        await runs.signal("any", "reject", _nested(200))
    with pytest.raises(InvalidRequest, match="control character"):
        await runs.query("a\x00b", "state")
    with pytest.raises(InvalidRequest, match="control character"):
        await runs.list_runs("a\x00b")


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


async def test_answers_do_not_disclose_the_servers_paths(engine: TemporalEngine) -> None:
    app = create_app(engine)
    settings = engine.settings.model_copy(
        update={"http": engine.settings.http.model_copy(update={"tokens": ["secret"]})}
    )
    app.dependency_overrides[get_settings] = lambda: settings
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        anonymous = await http.get("/health")
        assert anonymous.status_code == 200
        temporal = anonymous.json()["temporal"]
        assert temporal["definitions"] == {"loaded": 2, "invalid": 1}
        assert "address" not in temporal and "error" not in temporal["server"]
        assert str(FIXTURES) not in anonymous.text
        token = {"Authorization": "Bearer secret"}
        detailed = (await http.get("/health", headers=token)).json()["temporal"]
        assert detailed["definitions"]["invalid"] == ["broken.yaml"]
        assert detailed["definitions"]["loaded"] == ["gate", "greeting"]
        unknown = await http.get("/definitions/broken", headers=token)
        assert unknown.status_code == 404
        message = unknown.json()["error"]["message"]
        assert message == (
            "unknown definition or workflow 'broken'; "
            f"{(DEFINITIONS / 'broken.yaml').relative_to(FIXTURES.parents[2]).as_posix()} "
            "has errors and was not loaded"
        )
