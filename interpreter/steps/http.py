"""``http``: render the request and send it through the built-in activity ``tdsl.http``.

Only the rendered request travels to the activity (and so into the history): ``auth`` holds names of the
worker's environment variables, read by the activity, never their values. Options (timeout, retry, task
queue, ...) resolve as for an activity step, and a compensation is recorded the same way. An ``HTTPError``
carries one mapping of details, which the step's error shows as ``error.details`` itself
(``error.details.status``) rather than as a list of one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.kinds.http import ACTIVITY_NAME, HTTP_METHODS, HttpRequest, HttpStep

from ..errors import CompletedWhileCancelled, DefinitionFailedAtRun, StepFailed
from ..options import resolve_call
from ..runtime import ActivityCall
from . import handles
from .activity import record_compensation

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

ERROR_TYPES = ("HTTPError", "HTTPAuthError")
"""Error types of the built-in activity whose single details mapping becomes ``error.details``."""

_SCALARS = (str, int, float, bool)


def render_request(
    interp: Interpreter, spec: HttpRequest, step_id: str | None, frame: Frame, path: str
) -> dict[str, Any]:
    """The request as the activity receives it: templates rendered, values checked, and the id of the step
    that sends it (``step``)."""

    def fail(message: str, expression: str | None = None) -> DefinitionFailedAtRun:
        return DefinitionFailedAtRun(f"http: {message}", step=path, expression=expression)

    method = spec.method.upper()
    if method not in HTTP_METHODS:
        raise fail(f"method {spec.method!r} is not one of {', '.join(HTTP_METHODS)}")
    url = interp.render(spec.url, frame, path)
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        # Usually the run's data (a URL from the input): a step error a ``catch`` can handle, sent nowhere.
        raise StepFailed(ERROR_TYPES[0], f"url must be an http:// or https:// URL, not {url!r}", step=path,
                         details={"status": None, "method": method, "url": url, "reason": "InvalidURL"})
    request: dict[str, Any] = {"method": method, "url": url}
    if step_id is not None:
        request["step"] = step_id  # for logs and offline mocks; the activity sends no such thing
    if spec.headers:
        headers = interp.render(spec.headers, frame, path)
        request["headers"] = {name: _text(value, f"header {name!r}", fail) for name, value in headers.items()
                              if value is not None}
    if spec.query:
        query = interp.render(spec.query, frame, path)
        request["query"] = {name: _query_value(value, name, fail) for name, value in query.items()
                            if value is not None}
    if "json_" in spec.model_fields_set:
        if spec.body is not None:
            raise fail("give `json` or `body`, not both")
        request["json"] = interp.render(spec.json_, frame, path)
    elif spec.body is not None:
        request["body"] = _text(interp.render(spec.body, frame, path), "body", fail)
    if spec.expect is not None:
        request["expect"] = list(spec.expect)
    if spec.auth is not None:
        request["auth"] = spec.auth.model_dump(by_alias=True, exclude_none=True)
    return request


Fail = Callable[[str], DefinitionFailedAtRun]


def _text(value: Any, what: str, fail: Fail) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _SCALARS):
        return str(value)
    raise fail(f"{what} must render to a text or a number, not {value!r}")


def _query_value(value: Any, name: str, fail: Fail) -> str | list[str]:
    if isinstance(value, list):
        return [_text(item, f"query parameter {name!r}", fail) for item in value]
    return _text(value, f"query parameter {name!r}", fail)


def build_http_call(interp: Interpreter, step: HttpStep, frame: Frame, path: str) -> ActivityCall:
    """The call of the built-in activity for ``step``, with the options resolved as for activity steps."""
    request = render_request(interp, step.http, step.id, frame, path)

    def text(value: str, what: str) -> str:
        rendered = interp.render(value, frame, path)
        if not isinstance(rendered, str) or not rendered:
            raise DefinitionFailedAtRun(f"{what} must be a non-empty text, not {rendered!r}", step=path,
                                        expression=value)
        return rendered

    return resolve_call(
        ACTIVITY_NAME,
        [request],
        step,
        interp.definition.defaults,
        lambda value, what: interp.duration(value, frame, path, what),
        summary=str(interp.render(step.summary, frame, path)) if step.summary else path,
        text=text,
    )


def _unwrapped(err: StepFailed) -> StepFailed:
    details = err.details
    if err.type in ERROR_TYPES and isinstance(details, list) and len(details) == 1 \
            and isinstance(details[0], dict):
        return StepFailed(err.type, err.message, step=err.step, details=details[0])
    return err


async def _send(interp: Interpreter, call: ActivityCall) -> Any:
    try:
        return await interp.runtime.execute_activity(call)
    except StepFailed as err:
        unwrapped = _unwrapped(err)
        if unwrapped is err:
            raise
        raise unwrapped from None


@handles(HttpStep)
async def run_http(interp: Interpreter, step: HttpStep, frame: Frame, path: str) -> Any:
    call = build_http_call(interp, step, frame, path)
    if step.compensate is None:
        return await _send(interp, call)
    try:
        result = await _send(interp, replace(call, wait_for_cancellation=True))
    except CompletedWhileCancelled as done:
        record_compensation(interp, step.compensate, step.id, done.result, frame, path)
        raise asyncio.CancelledError from None
    record_compensation(interp, step.compensate, step.id, result, frame, path)
    return result
