"""``http``: call a web service through the built-in activity ``tdsl.http``; the response becomes
``steps.<id>``.

The request is rendered in the workflow (``url``, ``headers``, ``query``, ``json``, ``body`` are templates)
and sent by the activity, which every DSL worker registers. Secrets are never written in the definition nor
rendered: ``auth`` names environment variables of the worker, read by the activity when it sends the
request, so their values never enter the run's history.

The shapes are deliberately loose where the linter says more (``dsl_schema/lint/check_http.py``): a method
that is no HTTP method, ``json`` with ``body``, a bad ``expect`` pattern or environment variable name are
lint errors with their own codes, not schema violations.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from .activity import COMPENSATE
from .base import TEMPLATE, Drawing, Expr, Fact, Integer, Model, NonEmptyStr, ShapedStep, StepKind
from .options import ActivityOptions, Compensation

ACTIVITY_NAME = "tdsl.http"
"""The built-in activity that sends the request (registered on every DSL worker; mocked by this name)."""

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""The methods an ``http`` step may use."""

STATUS_PATTERN = r"^[1-5]([0-9]{2}|[0-9]x|xx)$"
"""A status (``404``) or a pattern of statuses (``2xx``, ``40x``), as ``expect`` lists them (lower case)."""

DEFAULT_EXPECT = ("2xx",)
"""The statuses a response may have unless ``expect`` says otherwise."""

EnvName = Annotated[str, Field(min_length=1, description="Name of an environment variable of the worker.")]


class BearerAuth(Model):
    """``Authorization: Bearer <token>``, the token read from the worker's environment."""

    model_config = ConfigDict(json_schema_extra={"description": "Bearer token from an environment variable."})

    bearer_from_env: EnvName


class ApiKeyAuth(Model):
    """An API key in a header (``X-Api-Key`` unless ``header`` says otherwise), read from the environment."""

    model_config = ConfigDict(
        json_schema_extra={"description": "API key header from an environment variable."}
    )

    api_key_from_env: EnvName
    header: NonEmptyStr = Field(default="X-Api-Key", description="Header that carries the key.")


class BasicCredentials(Model):
    """The environment variables holding the user name and the password."""

    username: EnvName
    password: EnvName


class BasicAuth(Model):
    """HTTP basic authentication, user name and password read from the environment."""

    model_config = ConfigDict(
        json_schema_extra={"description": "Basic authentication from environment variables."}
    )

    basic_from_env: BasicCredentials


HttpAuth = BearerAuth | ApiKeyAuth | BasicAuth


class HttpRequest(Model):
    """The request an ``http`` step sends."""

    method: NonEmptyStr = Field(default="GET", description="HTTP method (GET, POST, PUT, PATCH, ...).")
    url: Annotated[str, TEMPLATE] = Field(description="Absolute http(s) URL (template).")
    headers: Annotated[dict[str, Any], TEMPLATE] | None = Field(
        default=None, description="Request headers (templates); secrets belong in `auth`."
    )
    query: Annotated[dict[str, Any], TEMPLATE] | None = Field(
        default=None, description="Query parameters (templates); a list value repeats the parameter."
    )
    json_: Expr = Field(default=None, alias="json", description="JSON body (template); not with `body`.")
    body: Annotated[str, TEMPLATE] | None = Field(
        default=None, description="Text body (template); not with `json`."
    )
    expect: Annotated[list[Integer | NonEmptyStr], Field(min_length=1)] | None = Field(
        default=None,
        description="Statuses that count as success: numbers or patterns such as `2xx` (default: 2xx).",
    )
    auth: HttpAuth | None = Field(
        default=None, description="Credentials, named by the worker's environment variables (never inlined)."
    )


class HttpStep(ShapedStep, ActivityOptions):
    """Send an HTTP request. The response ``{status, headers, json | text}`` becomes ``steps.<id>``."""

    http: HttpRequest
    summary: Annotated[str, TEMPLATE] | None = Field(
        default=None, description="One line shown for the call in the Web UI (template)."
    )
    compensate: Annotated[Compensation, COMPENSATE] | None = None


KIND = StepKind(
    "http",
    HttpStep,
    "Send an HTTP request (the built-in activity tdsl.http).",
    outline=(
        Fact("method", ("http", "method"), default="GET"),
        Fact("url", ("http", "url")),
        Fact("compensate", ("compensate", "activity")),
    ),
    drawing=Drawing(
        "box",
        facts=(Fact("http", ("http", "method"), default="GET"), Fact("url", ("http", "url"))),
        compensate=("compensate",),
    ),
)
