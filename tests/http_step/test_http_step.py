"""``http`` steps on the real dev server, calling a real local HTTP service (``service.py``): the request as
declared, JSON and text answers, failures typed ``HTTPError`` with the status in their details, retries of
503 and of 429 after its ``Retry-After``, and bearer tokens read from the worker's environment that reach the
service but never the history."""

from __future__ import annotations

import json
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.interpreter.histories import activity_names, events, of_type
from tests.support import harness

from .service import Service

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED


async def failure_of(handle: Any) -> ApplicationError:
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


REQUESTS = """
name: http_requests
steps:
  - id: posted
    http:
      method: POST
      url: "{{ input.base }}/echo"
      headers: {X-Order: "{{ input.order }}", X-Plain: fixed}
      query: {page: 2, tag: [a, "{{ input.tag }}"]}
      json: {order: "{{ input.order }}", note: "{{ input.note }}", count: 3, activity: walking}
  - id: texted
    http: {url: "{{ input.base }}/text"}
  - id: raw
    http:
      method: PUT
      url: "{{ input.base }}/echo"
      headers: {Content-Type: text/plain}
      body: "order {{ input.order }}"
output:
  posted: "{{ steps.posted }}"
  texted: "{{ steps.texted }}"
  raw: "{{ steps.raw.json }}"
"""


async def test_the_request_is_sent_as_declared_and_answers_become_results(
    client: Client, task_queue: str, service: Service
) -> None:
    run_input = {"base": service.base_url, "order": "A-1", "tag": "b",
                 "note": "{{ input.order }} is data, not a template"}
    async with harness(client, task_queue) as h:
        h.add(REQUESTS)
        handle = await h.start("http_requests", run_input)
        result = await handle.result()
    posted = result["posted"]
    assert posted["status"] == 200
    assert posted["headers"]["content-type"] == "application/json"
    body = posted["json"].pop("body")
    assert posted["json"] == {
        "method": "POST",
        "query": {"page": ["2"], "tag": ["a", "b"]},
        "headers": {"x-order": "A-1", "x-plain": "fixed"},
        "content_type": "application/json",
    }
    # An ``activity`` key in a body is data, not an activity the run needs (the start is not refused).
    assert json.loads(body) == {"order": "A-1", "count": 3, "activity": "walking",
                                "note": "{{ input.order }} is data, not a template"}
    assert result["texted"]["status"] == 200
    assert result["texted"]["text"] == "plain hello" and "json" not in result["texted"]
    assert result["raw"]["method"] == "PUT"
    assert result["raw"]["body"] == "order A-1" and result["raw"]["content_type"] == "text/plain"
    assert activity_names(await events(handle)) == ["tdsl.http"] * 3


STATUSES = """
name: http_statuses
steps:
  - id: lookup
    http:
      url: "{{ input.base }}/status/{{ input.status }}"
      expect: "{{ input.expect }}"
    retry: {initial_interval: 10ms, maximum_attempts: 5}
output: "{{ steps.lookup.status }}"
"""


def statuses(expect: list[Any] | None) -> str:
    # ``expect`` is a literal list in the language; tests vary it through the text.
    line = "" if expect is None else f"expect: {expect}"
    return STATUSES.replace('expect: "{{ input.expect }}"', line)


async def test_a_404_fails_the_run_at_once_with_the_status_in_the_details(
    client: Client, task_queue: str, service: Service
) -> None:
    async with harness(client, task_queue) as h:
        h.add(statuses(None))
        handle = await h.start("http_statuses", {"base": service.base_url, "status": 404})
        error = await failure_of(handle)
    assert error.type == "HTTPError"
    assert error.non_retryable
    record = error.details[0]["error"]
    assert record["step"] == "lookup"
    details = record["details"]
    assert details["status"] == 404 and details["method"] == "GET"
    assert details["url"] == f"{service.base_url}/status/404"
    assert details["body"].startswith("status 404: xxx") and len(details["body"]) == 2000
    # Not retried although the policy allows five attempts: a 404 will not change.
    [started] = of_type(await events(handle), STARTED)
    assert started.activity_task_started_event_attributes.attempt == 1


async def test_expect_accepts_a_listed_status(client: Client, task_queue: str, service: Service) -> None:
    async with harness(client, task_queue) as h:
        h.add(statuses(["2xx", 404]))
        assert await h.execute("http_statuses", {"base": service.base_url, "status": 404}) == 404


CAUGHT = """
name: http_caught
steps:
  - try:
      - id: lookup
        http: {url: "{{ input.url }}"}
    catch:
      - errors: [HTTPError]
        steps:
          - return: {status: "{{ error.details.status }}", type: "{{ error.type }}"}
"""


async def test_catch_sees_the_status_of_an_http_error(
    client: Client, task_queue: str, service: Service
) -> None:
    async with harness(client, task_queue) as h:
        h.add(CAUGHT)
        result = await h.execute("http_caught", {"url": f"{service.base_url}/status/409"})
    assert result == {"status": 409, "type": "HTTPError"}


RETRIED = """
name: http_retried
steps:
  - id: call
    http: {url: "{{ input.url }}"}
    retry: {initial_interval: 10ms, maximum_attempts: 3}
output: "{{ steps.call.json }}"
"""


async def test_a_503_is_retried_and_the_next_attempt_succeeds(
    client: Client, task_queue: str, service: Service
) -> None:
    async with harness(client, task_queue) as h:
        h.add(RETRIED)
        handle = await h.start("http_retried", {"url": f"{service.base_url}/flaky/{task_queue}"})
        assert await handle.result() == {"hits": 2}
    [started] = of_type(await events(handle), STARTED)
    attributes = started.activity_task_started_event_attributes
    assert attributes.attempt == 2
    assert "answered 503" in attributes.last_failure.message
    assert service.paths(f"/flaky/{task_queue}") == [f"/flaky/{task_queue}"] * 2


async def test_a_429_waits_for_its_retry_after_before_the_next_attempt(
    client: Client, task_queue: str, service: Service
) -> None:
    async with harness(client, task_queue) as h:
        h.add(RETRIED)
        handle = await h.start("http_retried", {"url": f"{service.base_url}/throttled/{task_queue}"})
        assert await handle.result() == {"hits": 2}
    found = await events(handle)
    [scheduled] = of_type(found, SCHEDULED)
    [started] = of_type(found, STARTED)
    assert started.activity_task_started_event_attributes.attempt == 2
    # The retry policy says 10ms; the service asked for one second, and the server waited that long.
    waited = started.event_time.ToDatetime() - scheduled.event_time.ToDatetime()
    assert waited.total_seconds() >= 1.0


SECURED = """
name: http_secured
steps:
  - id: call
    http:
      url: "{{ input.url }}"
      auth: {bearer_from_env: TDSL_TEST_HTTP_TOKEN}
output: "{{ steps.call.json }}"
"""


async def test_a_bearer_token_from_the_environment_reaches_the_service_but_not_the_history(
    client: Client, task_queue: str, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TDSL_TEST_HTTP_TOKEN", service.token)
    async with harness(client, task_queue) as h:
        h.add(SECURED)
        handle = await h.start("http_secured", {"url": f"{service.base_url}/secure"})
        assert await handle.result() == {"authorized": True}
    # Every byte of the history as the server stores it (payloads are raw JSON in it; its JSON form would
    # show them base64-encoded).
    history = b"".join(event.SerializeToString() for event in (await handle.fetch_history()).events)
    assert b"TDSL_TEST_HTTP_TOKEN" in history  # the name travels
    assert service.token.encode() not in history  # the value never does
    [request] = [r for r in service.requests if r.path == "/secure"]
    assert request.headers["authorization"] == f"Bearer {service.token}"


async def test_a_missing_environment_variable_fails_at_once_naming_it(
    client: Client, task_queue: str, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TDSL_TEST_HTTP_TOKEN", raising=False)
    async with harness(client, task_queue) as h:
        h.add(SECURED)
        handle = await h.start("http_secured", {"url": f"{service.base_url}/secure"})
        error = await failure_of(handle)
    assert error.type == "HTTPAuthError" and error.non_retryable
    assert "'TDSL_TEST_HTTP_TOKEN'" in error.message and "not set" in error.message
    [started] = of_type(await events(handle), STARTED)
    assert started.activity_task_started_event_attributes.attempt == 1
