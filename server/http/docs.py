"""``/openapi.json`` (behind the bearer token, like every endpoint but ``/health``) and ``/docs``.

The docs page itself is static Swagger UI and reveals nothing; it loads the schema with the token it asks for
once per browser tab (kept in ``sessionStorage``) when tokens are configured, and sends the same token with
"Try it out" requests.

Every operation of the schema also declares the answers the service's middleware and error handlers give to
any request (bad host 400, cross-origin 403, body too large 413, not JSON 415, invalid text 422, Temporal
unavailable 502/503), so routes added later document them without repeating them.
"""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from ..config import Settings
from ..validation import ID_PATTERN, MAX_ID_LENGTH, MAX_NAME_LENGTH, TEXT_PATTERN
from .deps import get_settings, require_token

__all__ = ["install_docs"]

_SWAGGER_JS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
_SWAGGER_CSS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"

_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
# status -> description; GET answers never carry a body, so 413 and 415 are declared on the others only.
_EVERY_OPERATION = {
    "400": "Malformed request, or a Host this service does not serve.",
    "422": "Invalid request: its shape, or text that is not acceptable (docs/SECURITY.md).",
}
_WITH_TEMPORAL = {
    "502": "Temporal refused the request.",
    "503": "Temporal is unreachable, or the engine is not started.",
}
_STATE_CHANGING = {
    "403": "Cross-origin request from a browser (docs/SECURITY.md).",
    "413": "The body exceeds http.max_body_bytes.",
    "415": "The body is not application/json.",
}

_PAGE = """<!doctype html>
<html>
<head>
<title>{title}</title>
<meta charset="utf-8">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{js}"></script>
<script>
const needsToken = {needs_token};
let token = sessionStorage.getItem("tdsl-token") || "";
if (needsToken && !token) {{
  token = window.prompt("Bearer token of this API (one of http.tokens)") || "";
  sessionStorage.setItem("tdsl-token", token);
}}
window.ui = SwaggerUIBundle({{
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  requestInterceptor: (request) => {{
    if (token && !request.headers.Authorization) {{
      request.headers.Authorization = "Bearer " + token;
    }}
    return request;
  }},
}});
</script>
</body>
</html>
"""


# Parameters the gateway checks (tdsl.server.validation): the schema states the rule, so clients (and
# schemathesis) know which text is refused.
_TEXT_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("path", "workflow_id"): {"pattern": ID_PATTERN, "maxLength": MAX_ID_LENGTH},
    ("path", "name"): {"pattern": ID_PATTERN, "maxLength": MAX_NAME_LENGTH},
    ("query", "definition"): {"pattern": TEXT_PATTERN},
    ("query", "status"): {"pattern": TEXT_PATTERN},
}


def _declare_text_rules(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        rule = _TEXT_RULES.get((parameter.get("in"), parameter.get("name")))
        schema = parameter.get("schema", {})
        for option in [schema, *schema.get("anyOf", [])]:
            if rule is not None and option.get("type") == "string":
                option.update({k: v for k, v in rule.items() if k not in option})
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    workflow_id = body.get("schema", {}).get("properties", {}).get("workflow_id")
    if isinstance(workflow_id, dict):
        for option in [workflow_id, *workflow_id.get("anyOf", [])]:
            if option.get("type") == "string":
                option.setdefault("pattern", ID_PATTERN)


def _declare_common_answers(schema: dict[str, Any]) -> dict[str, Any]:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _declare_text_rules(operation)
            answers = dict(_EVERY_OPERATION)
            if path != "/health":
                answers.update(_WITH_TEMPORAL)
            if method.upper() not in ("GET", "HEAD", "OPTIONS"):
                answers.update(_STATE_CHANGING)
            for status, description in answers.items():
                operation["responses"].setdefault(status, {"description": description})
            for status, response in operation["responses"].items():
                # Every error answer is an ErrorBody in JSON, also on routes whose success is text.
                if status[:1] in ("4", "5"):
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
    return schema


def _as_configured(schema: dict[str, Any], tokens: bool, max_wait: float) -> dict[str, Any]:
    """The schema as this configuration answers: without tokens no operation requires one; waits are
    bounded by ``http.max_wait_seconds``."""
    schema = copy.deepcopy(schema)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if not tokens:
                operation.pop("security", None)
                operation.get("responses", {}).pop("401", None)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") == "wait":
                    _bound(parameter.get("schema", {}), max_wait)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            timeout = body.get("schema", {}).get("properties", {}).get("timeout")
            if isinstance(timeout, dict):
                _bound(timeout, max_wait)
    return schema


def _bound(schema: dict[str, Any], maximum: float) -> None:
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("type") == "number":
            option["maximum"] = maximum


def install_docs(app: FastAPI) -> None:
    """Serve ``/openapi.json`` behind :func:`require_token` and the ``/docs`` page (create the app with
    ``openapi_url=None, docs_url=None``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _declare_common_answers(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    served: dict[tuple[bool, float], dict[str, Any]] = {}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(require_token)])
    async def openapi_json(settings: Annotated[Settings, Depends(get_settings)]) -> JSONResponse:
        key = (bool(settings.http.tokens), settings.http.max_wait_seconds)
        if key not in served:
            served[key] = _as_configured(app.openapi(), *key)
        return JSONResponse(served[key])

    @app.get("/docs", include_in_schema=False)
    async def docs(settings: Annotated[Settings, Depends(get_settings)]) -> HTMLResponse:
        page = _PAGE.format(
            title=f"{app.title} - API",
            css=_SWAGGER_CSS,
            js=_SWAGGER_JS,
            needs_token=json.dumps(bool(settings.http.tokens)),
        )
        return HTMLResponse(page)
