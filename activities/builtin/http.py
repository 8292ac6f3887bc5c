"""The built-in activity ``tdsl.http``: send the request an ``http`` step rendered, with httpx.

The request arrives as one mapping (``method``, ``url``, ``headers``, ``query``, ``json`` or ``body``,
``expect``, ``auth``); the response is returned as ``{status, headers, json}`` when its body is JSON, else
``{status, headers, text}``. A status outside ``expect`` (default ``2xx``) fails with type ``HTTPError`` and
``{status, method, url, body}`` as details (the body cut to :data:`BODY_EXCERPT` characters). 5xx, 429 and
connection failures are retried by the step's retry policy; other statuses are not (``non_retryable``), and
a ``Retry-After`` header sets the delay before the next attempt. A body larger than
:data:`MAX_RESPONSE_BYTES` fails at once: the result would not fit the run's history.

Secrets are resolved here, from the worker's environment: ``auth`` names variables, and only the names
travel through the workflow's history. A variable that is not set fails the step (``HTTPAuthError``, never
retried), naming the variable and never showing a value.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from tdsl.dsl_schema.kinds.http import DEFAULT_EXPECT, STATUS_PATTERN

ERROR_TYPE = "HTTPError"
"""The error type of a status outside ``expect``, a connection failure or an unusable URL."""

AUTH_ERROR_TYPE = "HTTPAuthError"
"""The error type of credentials that cannot be read (an environment variable that is not set)."""

BODY_EXCERPT = 2000
"""How many characters of an unexpected response's body its error carries."""

MAX_RESPONSE_BYTES = 1024 * 1024
"""The largest response body a step takes: its result goes into the run's history, whose payloads Temporal
limits (2 MB by default); a larger one fails the step (``HTTPError``, never retried) instead of every attempt
failing to report its result."""

DEFAULT_TIMEOUT = 60.0
"""Seconds a request may take when it is not sent by an activity with a timeout."""

TIMEOUT_MARGIN = 0.9
"""The share of the attempt's timeout the request may use, so it fails as an HTTP timeout (with details)
before Temporal times the attempt out."""

_PATTERN = re.compile(STATUS_PATTERN)


def status_matches(status: int, pattern: int | str) -> bool:
    """Whether ``status`` is ``pattern``: a number (``404``, ``"404"``) or a pattern (``2xx``, ``20x``)."""
    text = str(pattern).lower()
    if not _PATTERN.match(text):
        return False
    return all(want in ("x", have) for want, have in zip(text, str(status), strict=True))


def expected(status: int, expect: Sequence[int | str] | None) -> bool:
    """Whether ``status`` counts as success for ``expect`` (default ``2xx``)."""
    return any(status_matches(status, pattern) for pattern in (expect or DEFAULT_EXPECT))


def _secret(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ApplicationError(
            f"environment variable {name!r} named by the step's auth is not set on the worker",
            {"variable": name},
            type=AUTH_ERROR_TYPE,
            non_retryable=True,
        )
    return value


def auth_headers(auth: Mapping[str, Any] | None) -> dict[str, str]:
    """The headers ``auth`` adds, its secrets read from the environment."""
    if not auth:
        return {}
    if "bearer_from_env" in auth:
        return {"Authorization": f"Bearer {_secret(auth['bearer_from_env'])}"}
    if "api_key_from_env" in auth:
        return {str(auth.get("header") or "X-Api-Key"): _secret(auth["api_key_from_env"])}
    if "basic_from_env" in auth:
        names = auth["basic_from_env"]
        pair = f"{_secret(names['username'])}:{_secret(names['password'])}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
    raise ApplicationError(f"unknown auth {sorted(auth)}", type=AUTH_ERROR_TYPE, non_retryable=True)


def _timeout() -> float:
    """The attempt's timeout (start-to-close, else schedule-to-close) less a margin, when sent by an
    activity; else :data:`DEFAULT_TIMEOUT`."""
    if not activity.in_activity():
        return DEFAULT_TIMEOUT
    info = activity.info()
    limit = info.start_to_close_timeout or info.schedule_to_close_timeout
    return limit.total_seconds() * TIMEOUT_MARGIN if limit else DEFAULT_TIMEOUT


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """The delay a ``Retry-After`` header asks for (seconds, or an HTTP date), ``None`` when absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - (now or datetime.now(UTC)), timedelta(0))


def _headers(response: httpx.Response) -> dict[str, str]:
    """Response headers, names in lower case; repeated headers joined by ``, ``."""
    found: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _is_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _result(response: httpx.Response) -> dict[str, Any]:
    result: dict[str, Any] = {"status": response.status_code, "headers": _headers(response)}
    if _is_json(response) and response.content:
        try:
            result["json"] = response.json()
            return result
        except ValueError:
            pass  # says JSON but is not: the text, as it came
    result["text"] = response.text
    return result


def _retryable(status: int) -> bool:
    return status >= 500 or status == 429


def _failure(request: Mapping[str, Any], response: httpx.Response) -> ApplicationError:
    status = response.status_code
    method, url = request.get("method", "GET"), request["url"]
    details = {"status": status, "method": method, "url": url, "body": response.text[:BODY_EXCERPT]}
    delay = retry_after(response.headers.get("retry-after")) if _retryable(status) else None
    return ApplicationError(
        f"{method} {url} answered {status} {response.reason_phrase}".rstrip(),
        details,
        type=ERROR_TYPE,
        non_retryable=not _retryable(status),
        next_retry_delay=delay,
    )


def _transport_failure(request: Mapping[str, Any], err: Exception) -> ApplicationError:
    method, url = request.get("method", "GET"), request["url"]
    details = {"status": None, "method": method, "url": url, "reason": type(err).__name__}
    # A URL httpx cannot send to never works; a connection or a timeout may work next time.
    non_retryable = isinstance(err, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError)
    return ApplicationError(
        f"{method} {url} failed: {type(err).__name__}: {err}".rstrip(": "),
        details,
        type=ERROR_TYPE,
        non_retryable=non_retryable,
    )


async def http_request(request: dict[str, Any]) -> dict[str, Any]:
    """Send ``request`` (as an ``http`` step renders it) and return the response as data."""
    headers = {str(k): str(v) for k, v in (request.get("headers") or {}).items()}
    credentials = auth_headers(request.get("auth"))
    replaced = {name.lower() for name in credentials}  # ``auth`` wins over a header of the same name
    headers = {name: value for name, value in headers.items() if name.lower() not in replaced}
    headers.update(credentials)
    content: dict[str, Any] = {}
    if "json" in request:
        content["json"] = request["json"]
    elif request.get("body") is not None:
        content["content"] = str(request["body"]).encode()
    try:
        async with httpx.AsyncClient(timeout=_timeout(), follow_redirects=True) as client:
            response = await client.request(
                request.get("method", "GET"),
                request["url"],
                params=request.get("query") or None,
                headers=headers,
                **content,
            )
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        raise _transport_failure(request, err) from None
    if not expected(response.status_code, request.get("expect")):
        raise _failure(request, response)
    if len(response.content) > MAX_RESPONSE_BYTES:
        method, url = request.get("method", "GET"), request["url"]
        raise ApplicationError(
            f"{method} {url} answered {len(response.content)} bytes, more than a step takes "
            f"({MAX_RESPONSE_BYTES})",
            {"status": response.status_code, "method": method, "url": url, "reason": "ResponseTooLarge",
             "size": len(response.content)},
            type=ERROR_TYPE,
            non_retryable=True,
        )
    return _result(response)
