"""Exception handlers: every client mistake becomes a 4xx JSON answer, never a 500 with a traceback.

Every error body is ``{"error": record}``, the record of :meth:`tdsl.errors.TdslError.record`:
``{type, message, step, file, line, details}`` (all six keys, ``null`` where unknown). ``type`` is a stable
name; schema failures put every violation in ``details.errors``, a list of ``{path, message, validator}``.

=========================  ======  ===============================================================
type                       status  when
=========================  ======  ===============================================================
MalformedJSON              400     the body is not JSON
HostNotAllowed             400     the ``Host`` is not one this service serves (:mod:`.guard`)
Unauthorized               401     a token is configured and the request has none or a wrong one
Forbidden                  403     a state-changing request from another site's page (:mod:`.guard`)
UnknownDefinition/Run/...  404     see :mod:`tdsl.server.errors`
MethodNotAllowed           405     the path exists, the method does not (``Allow`` lists those that do)
PayloadTooLarge            413     the body exceeds ``http.max_body_bytes``
UnsupportedMediaType       415     a body that is not ``application/json`` (:mod:`.guard`)
InvalidRequest             422     the request's shape is wrong (fields, types, query parameters), or
                                   its text is not acceptable (:mod:`tdsl.server.validation`)
InvalidInput/Payload       422     the run input / signal or update payload fails its JSON Schema
ActivitiesNotRegistered    422     the definition calls activities no worker here registers
RunAlreadyExists, ...      409     see :mod:`tdsl.server.errors`
TemporalRefused            502     Temporal refused the request for a reason of its own
EngineNotReady             503     Temporal unreachable or disabled
InternalError              500     a bug; details go to the server log only
=========================  ======  ===============================================================
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tdsl.errors import EngineError, ErrorRecord, record_of

__all__ = ["MalformedJSON", "Unauthorized", "error_response", "install_error_handlers"]

log = logging.getLogger("temporal_dsl.http")

_STATUS_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "InvalidRequest",
}


class Unauthorized(EngineError):
    """Bearer token missing or not accepted."""

    status_code = 401


class MalformedJSON(EngineError):
    """The request body is not JSON."""

    status_code = 400


def error_response(status: int, record: ErrorRecord, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error answer: ``{"error": record}``."""
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": record}, status_code=status, headers=headers or None)


def _location(loc: tuple[Any, ...]) -> str:
    """``("body", "input", 0)`` -> ``body.input[0]``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "$"


async def _engine_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EngineError)
    return error_response(exc.status_code, exc.record())


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for err in errors:
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "JSON decode error")
            position = err["loc"][-1] if err.get("loc") else None
            where = f" (at character {position})" if isinstance(position, int) else ""
            malformed = MalformedJSON(f"request body is not valid JSON: {reason}{where}")
            return error_response(400, malformed.record())
    listed = [
        {"path": _location(tuple(err.get("loc", ()))), "message": _message(err), "validator": err.get("type")}
        for err in errors
    ]
    summary = "; ".join(f"{e['path']}: {e['message']}" for e in listed[:5])
    record = record_of("InvalidRequest", f"invalid request: {summary}", details={"errors": listed})
    return error_response(422, record)


def _message(err: dict[str, Any]) -> str:
    message = str(err.get("msg", "invalid"))
    if err.get("type") == "extra_forbidden" and len(err.get("loc", ())) == 2 and err["loc"][0] == "body":
        message += " (the run input goes under 'input')"
    return message


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404 and exc.detail == "Not Found":
        message = f"no endpoint {request.method} {request.url.path}; see /docs"
    elif status == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed on {request.url.path} (allowed: {', '.join(allowed)})"
    else:
        message = str(exc.detail)
    return error_response(status, record_of(_STATUS_NAMES.get(status, "HTTPError"), message), headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path (the ``Allow`` header of a 405)."""
    found = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            found.append(method)
    return found


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    message = "internal error; the details are in the server log"
    return error_response(500, record_of("InternalError", message))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` (also usable on your own FastAPI app embedding the engine)."""
    app.add_exception_handler(EngineError, _engine_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
