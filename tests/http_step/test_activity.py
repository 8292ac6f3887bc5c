"""The built-in activity ``tdsl.http`` called directly (outside any worker) against the local service: how
answers become results and failures, status patterns, ``Retry-After``, and credentials from the
environment."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from tdsl.activities.builtin.http import auth_headers, expected, http_request, retry_after, status_matches

from .service import Service


async def failure(request: dict[str, Any]) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await http_request(request)
    return caught.value


def test_status_patterns() -> None:
    assert status_matches(204, "2xx") and status_matches(404, 404) and status_matches(404, "40x")
    assert not status_matches(500, "2xx") and not status_matches(410, "40x")
    assert not status_matches(200, "2**")
    assert expected(200, None) and not expected(404, None)
    assert expected(404, ["2xx", 404]) and not expected(500, ["2xx", 404])


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    assert retry_after("7", now) == timedelta(seconds=7)
    assert retry_after("Tue, 01 Jan 2030 09:00:30 GMT", now) == timedelta(seconds=30)
    assert retry_after("Mon, 31 Dec 2029 09:00:30 GMT", now) == timedelta(0)  # in the past: at once
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_TOKEN", "t0k")
    monkeypatch.setenv("T_USER", "ada")
    monkeypatch.setenv("T_PASSWORD", "s3cret")
    assert auth_headers({"bearer_from_env": "T_TOKEN"}) == {"Authorization": "Bearer t0k"}
    assert auth_headers({"api_key_from_env": "T_TOKEN", "header": "X-Key"}) == {"X-Key": "t0k"}
    basic = auth_headers({"basic_from_env": {"username": "T_USER", "password": "T_PASSWORD"}})
    assert basic == {"Authorization": "Basic " + base64.b64encode(b"ada:s3cret").decode()}
    assert auth_headers(None) == {}


def test_a_variable_that_is_not_set_is_named_and_never_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T_MISSING", raising=False)
    with pytest.raises(ApplicationError) as caught:
        auth_headers({"bearer_from_env": "T_MISSING"})
    assert caught.value.type == "HTTPAuthError" and caught.value.non_retryable
    assert "'T_MISSING'" in caught.value.message and list(caught.value.details) == [{"variable": "T_MISSING"}]


async def test_json_media_types_text_and_empty_answers(service: Service) -> None:
    problem = await failure({"url": f"{service.base_url}/odd/problem", "method": "GET"})
    assert problem.details[0]["status"] == 410 and problem.non_retryable
    accepted = await http_request({"url": f"{service.base_url}/odd/problem", "expect": [410]})
    assert accepted["json"] == {"title": "gone"}
    assert accepted["headers"]["content-type"] == "application/problem+json"
    assert (await http_request({"url": f"{service.base_url}/odd/not-json"}))["text"] == "{oops"
    empty = await http_request({"url": f"{service.base_url}/odd/empty"})
    assert empty["status"] == 204 and empty["text"] == ""
    redirected = await http_request({"url": f"{service.base_url}/odd/redirect"})
    assert redirected == {"status": 200, "headers": redirected["headers"], "text": "plain hello"}


async def test_retryable_statuses_and_retry_after(service: Service) -> None:
    unavailable = await failure({"url": f"{service.base_url}/status/503"})
    assert unavailable.type == "HTTPError" and not unavailable.non_retryable
    assert unavailable.next_retry_delay is None
    throttled = await failure({"url": f"{service.base_url}/throttled/direct-{id(service)}"})
    assert throttled.details[0]["status"] == 429 and not throttled.non_retryable
    assert throttled.next_retry_delay == timedelta(seconds=1)
    conflict = await failure({"url": f"{service.base_url}/status/409", "method": "POST"})
    assert conflict.non_retryable
    assert conflict.message.startswith(f"POST {service.base_url}/status/409 answered 409")


async def test_connection_failures_are_retried_and_bad_urls_are_not(service: Service) -> None:
    refused = await failure({"url": "http://127.0.0.1:9/nothing"})  # the discard port: nobody listens
    assert refused.type == "HTTPError" and not refused.non_retryable
    assert refused.details[0] == {"status": None, "method": "GET", "url": "http://127.0.0.1:9/nothing",
                                  "reason": "ConnectError"}
    unusable = await failure({"url": "http://exa mple.com:port/"})
    assert unusable.type == "HTTPError" and unusable.non_retryable


async def test_auth_replaces_a_header_of_the_same_name(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T_KEY", "k-from-env")
    answer = await http_request({
        "url": f"{service.base_url}/echo",
        "headers": {"x-key": "written", "X-Other": "kept"},
        "auth": {"api_key_from_env": "T_KEY", "header": "X-Key"},
    })
    assert answer["json"]["headers"] == {"x-key": "k-from-env", "x-other": "kept"}


async def test_a_response_too_large_for_the_history_fails_at_once(service: Service) -> None:
    large = await failure({"url": f"{service.base_url}/odd/big"})
    assert large.type == "HTTPError" and large.non_retryable
    assert large.details[0]["reason"] == "ResponseTooLarge" and large.details[0]["size"] == 1024 * 1024 + 1
