"""``http`` steps in offline runs: mocked by the built-in activity's name or per step, their errors as a
worker reports them (``error.details`` the mapping of details), retries on virtual time, compensation."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import run_offline_sync
from tdsl.interpreter.offline.http_mocks import route_http_mocks, step_mock_name
from tdsl.server.testing.mocks import build_mocks

TWO_CALLS = """
name: two_calls
steps:
  - id: first
    http:
      method: POST
      url: "{{ input.base }}/items"
      headers: {X-Request: "{{ input.request }}"}
      query: {dry_run: true, tags: [a, "{{ input.tag }}"]}
      json: {name: "{{ input.name }}"}
      expect: [201]
  - id: second
    http: {url: "{{ input.base }}/items/{{ steps.first.json.id }}", auth: {api_key_from_env: ITEMS_KEY}}
output: "{{ steps.second.json }}"
"""

INPUT = {"base": "https://items.example.com", "request": "r-1", "tag": "b", "name": "{{ 6 * 7 }}"}


def run(text: str, activities: Any, run_input: Any = INPUT) -> Any:
    return run_offline_sync(load_definition_text(text, "<test>"), run_input, activities=activities)


def test_one_mock_of_the_builtin_activity_receives_every_rendered_request() -> None:
    seen: list[dict[str, Any]] = []

    def http(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request)
        return {"status": 201, "headers": {}, "json": {"id": "i-7", "url": request["url"]}}

    result = run(TWO_CALLS, {"tdsl.http": http})
    assert result.status == "completed"
    assert result.output == {"id": "i-7", "url": "https://items.example.com/items/i-7"}
    assert seen == [
        {"method": "POST", "url": "https://items.example.com/items", "headers": {"X-Request": "r-1"},
         "query": {"dry_run": "true", "tags": ["a", "b"]}, "json": {"name": "{{ 6 * 7 }}"},
         "expect": [201], "step": "first"},
        {"method": "GET", "url": "https://items.example.com/items/i-7",
         "auth": {"api_key_from_env": "ITEMS_KEY", "header": "X-Api-Key"}, "step": "second"},
    ]
    assert [(c.name, c.summary) for c in result.calls] == [("tdsl.http", "first"), ("tdsl.http", "second")]


def test_a_mock_per_step_wins_over_the_mock_of_every_step() -> None:
    mocks = route_http_mocks({
        step_mock_name("second"): lambda request: {"status": 200, "headers": {}, "json": {"from": "second"}},
        "tdsl.http": lambda request: {"status": 201, "headers": {}, "json": {"id": "any"}},
    })
    result = run(TWO_CALLS, mocks)
    assert result.output == {"from": "second"}


def test_a_step_no_mock_answers_fails_like_an_unregistered_activity() -> None:
    mocks = route_http_mocks({step_mock_name("first"): lambda request: {"status": 201, "json": {"id": "x"}}})
    result = run(TWO_CALLS, mocks)
    assert result.status == "failed"
    assert result.error is not None and result.error.type == "NotFoundError"
    assert "'tdsl.http:second'" in result.error.message


def test_test_file_mocks_address_steps_by_id() -> None:
    mocks = build_mocks(
        {"tdsl.http": {"returns": {"status": 201, "headers": {}, "json": {"id": "i-1"}}}},
        {"tdsl.http:second": {"sequence": [
            {"error": {"type": "HTTPError", "message": "answered 503", "details": [{"status": 503}]}},
            {"returns": {"status": 200, "headers": {}, "json": {"ok": True}}},
        ]}},
    )
    result = run(TWO_CALLS, mocks)
    assert result.output == {"ok": True}
    assert [(c.summary, c.attempt, c.outcome) for c in result.calls] == [
        ("first", 1, "completed"), ("second", 1, "failed"), ("second", 2, "completed")]
    assert result.elapsed == 1.0  # the default initial retry interval, on virtual time


CAUGHT = """
name: caught
steps:
  - try:
      - id: lookup
        http: {url: "https://items.example.com/items/{{ input.id }}"}
    catch:
      - errors: [HTTPError]
        steps:
          - return: {status: "{{ error.details.status }}", step: "{{ error.step }}"}
"""


def test_an_http_error_shows_its_details_as_one_mapping() -> None:
    def not_found(request: dict[str, Any]) -> Any:
        raise ApplicationError("GET answered 404", {"status": 404, "body": "no"}, type="HTTPError",
                               non_retryable=True)

    result = run(CAUGHT, {"tdsl.http": not_found}, {"id": "i-404"})
    assert result.output == {"status": 404, "step": "try#0/try/lookup"}
    assert [c.outcome for c in result.calls] == ["failed"]


COMPENSATED = """
name: compensated
steps:
  - id: booking
    http: {method: POST, url: "https://items.example.com/bookings", json: {seat: 3}}
    compensate:
      activity: cancel_booking
      args: ["{{ result.json.booking_id }}"]
  - fail: {message: later failure, type: Later}
"""


def test_an_http_step_is_compensated_with_its_response() -> None:
    cancelled: list[str] = []
    mocks = {
        "tdsl.http": lambda request: {"status": 201, "headers": {}, "json": {"booking_id": "b-1"}},
        "cancel_booking": cancelled.append,
    }
    result = run(COMPENSATED, mocks, {})
    assert result.status == "failed" and result.error is not None and result.error.type == "Later"
    assert cancelled == ["b-1"]
    assert [c["step"] for c in result.compensations] == ["booking"]


def test_a_url_that_renders_to_no_http_url_fails_the_step_without_a_call() -> None:
    result = run(CAUGHT.replace("https://items.example.com/items/{{ input.id }}", "{{ input.id }}"),
                 {"tdsl.http": lambda request: {}}, {"id": "ftp://items"})
    assert result.output == {"status": None, "step": "try#0/try/lookup"}  # caught as an HTTPError
    assert result.calls == []


SHAPED = """
name: shaped_call
steps:
  - id: lookup
    http: {url: "https://items.example.com/items/{{ input.id }}"}
    result: {name: "{{ result.json.name }}", ok: "{{ result.status == 200 }}"}
output: "{{ steps.lookup }}"
"""


def test_result_shapes_what_an_http_step_keeps() -> None:
    def http(request: dict[str, Any]) -> dict[str, Any]:
        return {"status": 200, "headers": {"x-big": "..."}, "json": {"name": "lamp", "stock": 3}}

    result = run(SHAPED, {"tdsl.http": http}, {"id": "i-1"})
    assert result.status == "completed"
    assert result.output == {"name": "lamp", "ok": True}  # the raw response (headers, status) is not kept
