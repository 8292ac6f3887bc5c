"""Dependencies of the routes; tests (and embedding apps) can replace them with ``app.dependency_overrides``.

They are coroutines on purpose: FastAPI runs plain functions in a thread pool, which costs more than all
they do.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from ..config import Settings
from ..engine import TemporalEngine
from ..errors import InvalidInput
from ..runs import RunService
from ..validation import check_payload, nested_too_deeply
from .errors import MalformedJSON, Unauthorized

__all__ = [
    "NO_PAYLOAD",
    "get_engine",
    "get_runs",
    "get_settings",
    "has_access",
    "json_payload",
    "parse_model",
    "require_token",
    "wait_seconds",
]

M = TypeVar("M", bound=BaseModel)

NO_PAYLOAD: Any = object()  # an empty body: the signal/update is sent without arguments

_bearer = HTTPBearer(auto_error=False, description="Required when http.tokens is configured.")


async def get_engine(request: Request) -> TemporalEngine:
    """The engine the app was created with."""
    engine: TemporalEngine = request.app.state.engine
    return engine


async def get_settings(engine: Annotated[TemporalEngine, Depends(get_engine)]) -> Settings:
    return engine.settings


async def get_runs(engine: Annotated[TemporalEngine, Depends(get_engine)]) -> RunService:
    """The engine's run service (503 until the engine is started)."""
    return engine.require_runs()


async def require_token(
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """With ``http.tokens`` configured, the request must carry one of them as a bearer token."""
    tokens = settings.http.tokens
    if not tokens:
        return
    if credentials is None:
        raise Unauthorized("this endpoint requires an 'Authorization: Bearer <token>' header")
    if not _accepted(credentials.credentials, tokens):
        raise Unauthorized("the bearer token is not accepted")


def _accepted(given: str, tokens: list[str]) -> bool:
    # Compare with every token in constant time, so the answer time does not reveal a prefix.
    encoded = given.encode()
    return any(hmac.compare_digest(encoded, token.encode()) for token in tokens)


async def has_access(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> bool:
    """Whether the request may see everything: no ``http.tokens`` configured, or it carries one of them.
    For endpoints that answer everyone but tell more to those with a token (``/health``); it reads the
    header itself, so such endpoints are not documented as requiring the token."""
    tokens = settings.http.tokens
    if not tokens:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _accepted(given.strip(), tokens)


async def json_payload(request: Request) -> Any:
    """The request body as one JSON value; :data:`NO_PAYLOAD` when the body is empty. A value with a lone
    surrogate or nested too deeply is refused (422, :func:`~tdsl.server.validation.check_payload`)."""
    body = await request.body()
    if not body.strip():
        return NO_PAYLOAD
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJSON("request body is not valid JSON: it is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise nested_too_deeply("body") from None
    except json.JSONDecodeError as err:
        raise MalformedJSON(
            f"request body is not valid JSON: {err.msg} (line {err.lineno} column {err.colno})"
        ) from None
    except ValueError as err:
        raise MalformedJSON(f"request body is not valid JSON: {err}") from None
    return check_payload(value, "body")


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON does not, and answers containing them cannot be encoded.
    raise ValueError(f"{name} is not a JSON value")


def parse_model(model: type[M], value: Any) -> M:
    """Validate a parsed body against ``model`` (an empty body means all defaults); 422 with every error."""
    try:
        return model.model_validate({} if value is NO_PAYLOAD else value)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
        ) from None


def wait_seconds(value: float | None, settings: Settings, name: str, default: float) -> float:
    """A requested wait, defaulted and bounded by ``http.max_wait_seconds``."""
    limit = settings.http.max_wait_seconds
    chosen = default if value is None else value
    if chosen < 0 or chosen > limit:
        raise InvalidInput(
            f"{name} must be between 0 and {limit:g} seconds",
            [{"path": name, "message": f"{chosen:g} is outside 0..{limit:g}", "validator": "maximum"}],
        )
    return min(chosen, limit)
