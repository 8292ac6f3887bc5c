"""``/definitions``: what can be started (YAML definitions and code workflows), and starting runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from tdsl.dsl_schema.catalog import CatalogEntry
from tdsl.dsl_schema.graph import build_graph, render

from ...code_workflows import CodeWorkflow
from ...config import Settings
from ...runs import RunService
from ..deps import get_runs, get_settings, json_payload, parse_model, require_token, wait_seconds
from ..outline import outline_steps
from ..schemas import (
    DefinitionDetail,
    DefinitionList,
    DefinitionSummary,
    ErrorBody,
    ErrorRecord,
    HandlerDecl,
    InvalidDefinition,
    StartRequest,
    StartResponse,
)

router = APIRouter(prefix="/definitions", tags=["definitions"], dependencies=[Depends(require_token)])

DEFAULT_START_WAIT = 60.0
_GRAPH_TEXT = "Mermaid flowchart text, or Graphviz DOT (docs/GRAPHS.md)."
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 422, 503)
}


def _file(path: str) -> str:
    """Relative to the working directory, else the file's name: never the server's absolute paths."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return Path(path).name


def _summary(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": "yaml",
        "version": entry.version,
        "description": entry.definition.description,
        "sha256": entry.sha256,
        "commit": entry.commit,
        "file": _file(entry.file),
    }


def _code_summary(code: CodeWorkflow) -> dict[str, Any]:
    return {"name": code.name, "kind": "code", "description": code.description}


@router.get("", response_model=DefinitionList, summary="List definitions", responses=_ERRORS)
async def list_definitions(runs: Annotated[RunService, Depends(get_runs)]) -> DefinitionList:
    """Every YAML definition (name, version, description, sha256) and code workflow that can be started,
    plus the files that failed validation (they are never started)."""
    found = [DefinitionSummary(**_summary(entry)) for entry in runs.catalog.entries.values()]
    found += [
        DefinitionSummary(**_code_summary(code))
        for name, code in runs.code.items()
        if name not in runs.catalog.entries
    ]
    invalid = [
        InvalidDefinition(file=_file(file), errors=[d.format() for d in err.diagnostics])
        for file, err in sorted(runs.catalog.invalid.items())
    ]
    return DefinitionList(definitions=sorted(found, key=lambda d: d.name), invalid=invalid)


@router.get(
    "/{name}",
    response_model=DefinitionDetail,
    response_model_by_alias=True,
    summary="Describe a definition",
    responses=_ERRORS,
)
async def get_definition(name: str, runs: Annotated[RunService, Depends(get_runs)]) -> DefinitionDetail:
    """Its input schema, signals, queries and updates (with their payload schemas) and an outline of its
    steps."""
    if name not in runs.catalog.entries and name in runs.code:
        code = runs.code[name]
        return DefinitionDetail(
            **_code_summary(code),
            signals={n: HandlerDecl() for n in code.names("signal")},
            queries={n: HandlerDecl() for n in code.names("query")},
            updates={n: HandlerDecl() for n in code.names("update")},
            parameters=[p.name for p in code.parameters],
        )
    entry = runs.definition(name)
    definition = entry.definition
    return DefinitionDetail(
        **_summary(entry),
        id_template=definition.id,
        input_schema=definition.input,
        signals={
            n: HandlerDecl(description=s.description, schema=s.schema_)
            for n, s in (definition.signals or {}).items()
        },
        queries={n: HandlerDecl(description=q.description) for n, q in (definition.queries or {}).items()},
        updates={
            n: HandlerDecl(description=u.description, schema=u.schema_)
            for n, u in (definition.updates or {}).items()
        },
        steps=outline_steps(entry.data.get("steps")),
    )


@router.get(
    "/{name}/graph",
    response_class=PlainTextResponse,
    summary="Draw a definition",
    responses={200: {"content": {"text/plain": {}}, "description": _GRAPH_TEXT}, **_ERRORS},
)
async def definition_graph(
    name: str,
    runs: Annotated[RunService, Depends(get_runs)],
    format: Annotated[Literal["mermaid", "dot"], Query(description="mermaid (default) or dot")] = "mermaid",
) -> PlainTextResponse:
    """The definition's flowchart (docs/GRAPHS.md): Mermaid text (renders in GitHub and GitLab Markdown) or
    Graphviz DOT."""
    entry = runs.definition(name)
    return PlainTextResponse(render(build_graph(entry.data), format))


@router.post(
    "/{name}/runs",
    status_code=201,
    response_model=StartResponse,
    summary="Start a run",
    responses={
        200: {"model": StartResponse, "description": "The run already existed (idempotent start)."},
        **_ERRORS,
    },
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": StartRequest.model_json_schema()}},
        }
    },
)
async def start_run(
    name: str,
    response: Response,
    runs: Annotated[RunService, Depends(get_runs)],
    settings: Annotated[Settings, Depends(get_settings)],
    body: Annotated[Any, Depends(json_payload)],
) -> StartResponse:
    """Validate the input against the definition's schema (422 with every error), then start the run.

    With an ``id`` template in the definition, a retried request returns the run it started (200,
    ``existing: true``) instead of starting a second one. With ``wait`` the answer also carries the
    outcome: ``status`` and ``result`` (or ``error``), or ``status: RUNNING`` when ``timeout`` passed first.
    """
    request = parse_model(StartRequest, body)
    timeout = wait_seconds(
        request.timeout, settings, "timeout", min(DEFAULT_START_WAIT, settings.http.max_wait_seconds)
    )
    started = await runs.start(
        name, request.input, workflow_id=request.workflow_id, start_delay=request.delay
    )
    response.status_code = 200 if started.existing else 201
    response.headers["Location"] = f"/runs/{quote(started.workflow_id, safe='')}"
    answer = StartResponse(**started.as_dict())
    if request.wait:
        outcome = await runs.outcome(started.workflow_id, timeout=timeout)
        answer.status = outcome.status.value
        answer.result = outcome.result
        answer.error = ErrorRecord(**outcome.error) if outcome.error is not None else None
    return answer
