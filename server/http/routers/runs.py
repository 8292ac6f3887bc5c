"""``/runs``: status (with the built-in progress), result, signals, queries, updates, cancel, terminate."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from tdsl.dsl_schema.graph import render

from ...config import Settings
from ...graph import run_graph as draw_run
from ...run_types import RunStatus
from ...runs import RunService
from ..deps import NO_PAYLOAD, get_runs, get_settings, json_payload, parse_model, require_token, wait_seconds
from ..schemas import (
    CancelResponse,
    ErrorBody,
    HandlerResponse,
    OutcomeResponse,
    RunList,
    RunStatusResponse,
    RunSummary,
    SignalResponse,
    TerminateRequest,
)

router = APIRouter(prefix="/runs", tags=["runs"], dependencies=[Depends(require_token)])

_GRAPH_TEXT = "Mermaid flowchart text, or Graphviz DOT (docs/GRAPHS.md)."
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 422, 503)
}
_PAYLOAD = {
    "requestBody": {
        "required": False,
        "description": "The payload: one JSON value (empty: none).",
        "content": {"application/json": {"schema": {}}},
    }
}
RunsDep = Annotated[RunService, Depends(get_runs)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _args(payload: Any) -> tuple[Any, ...]:
    return () if payload is NO_PAYLOAD else (payload,)


@router.get("", response_model=RunList, summary="Recent runs", responses=_ERRORS)
async def list_runs(
    runs: RunsDep,
    definition: Annotated[
        str | None, Query(max_length=200, description="Only runs of this definition.")
    ] = None,
    status: Annotated[str | None, Query(max_length=40, description="RUNNING, COMPLETED, FAILED, ...")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> RunList:
    """Recent runs, newest first."""
    found = await runs.list_runs(definition, limit=limit, status=status)
    return RunList(runs=[RunSummary(**run) for run in found])


@router.get(
    "/{workflow_id:path}/result",
    response_model=OutcomeResponse,
    summary="Run result",
    responses={202: {"model": OutcomeResponse, "description": "Still running."}, **_ERRORS},
)
async def run_result(
    workflow_id: str,
    response: Response,
    runs: RunsDep,
    settings: SettingsDep,
    wait: Annotated[float | None, Query(ge=0, description="Seconds to wait for the run to finish.")] = None,
) -> OutcomeResponse:
    """200 with ``result`` (COMPLETED) or ``error`` (FAILED, CANCELED, TERMINATED, TIMED_OUT) once the run
    has closed; 202 with ``status: RUNNING`` while it has not (after waiting up to ``wait`` seconds)."""
    outcome = await runs.outcome(workflow_id, timeout=wait_seconds(wait, settings, "wait", 0.0))
    response.status_code = 202 if outcome.status is RunStatus.RUNNING else 200
    return OutcomeResponse(**outcome.as_dict())


@router.post(
    "/{workflow_id:path}/signals/{name}",
    status_code=202,
    response_model=SignalResponse,
    summary="Send a signal",
    responses=_ERRORS,
    openapi_extra=_PAYLOAD,
)
async def send_signal(
    workflow_id: str, name: str, runs: RunsDep, payload: Annotated[Any, Depends(json_payload)]
) -> SignalResponse:
    """The body is the signal's payload (checked against its declared schema: 422 when it fails)."""
    await runs.signal(workflow_id, name, *_args(payload))
    return SignalResponse(workflow_id=workflow_id, signal=name)


@router.get(
    "/{workflow_id:path}/queries/{name}",
    response_model=HandlerResponse,
    summary="Run a query",
    responses=_ERRORS,
)
async def run_query(workflow_id: str, name: str, runs: RunsDep) -> HandlerResponse:
    """A declared query (or ``__progress``); answers also after the run has closed."""
    result = await runs.query(workflow_id, name)
    return HandlerResponse(workflow_id=workflow_id, name=name, result=result)


@router.post(
    "/{workflow_id:path}/updates/{name}",
    response_model=HandlerResponse,
    summary="Send an update",
    responses=_ERRORS,
    openapi_extra=_PAYLOAD,
)
async def send_update(
    workflow_id: str, name: str, runs: RunsDep, payload: Annotated[Any, Depends(json_payload)]
) -> HandlerResponse:
    """The body is the update's payload; the answer carries the update's result. A payload failing the
    schema or the update's validation is rejected (422) and leaves no trace in the run's history."""
    result = await runs.update(workflow_id, name, *_args(payload))
    return HandlerResponse(workflow_id=workflow_id, name=name, result=result)


@router.post(
    "/{workflow_id:path}/cancel",
    status_code=202,
    response_model=CancelResponse,
    summary="Cancel a run",
    responses=_ERRORS,
)
async def cancel_run(workflow_id: str, runs: RunsDep) -> CancelResponse:
    """Request cancellation: a YAML run compensates what it did, then ends CANCELED."""
    await runs.cancel(workflow_id)
    return CancelResponse(workflow_id=workflow_id, status="cancel_requested")


@router.post(
    "/{workflow_id:path}/terminate",
    response_model=CancelResponse,
    summary="Terminate a run",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": TerminateRequest.model_json_schema()}},
        }
    },
)
async def terminate_run(
    workflow_id: str, runs: RunsDep, body: Annotated[Any, Depends(json_payload)]
) -> CancelResponse:
    """End the run at once, without compensation (optional ``reason``)."""
    request = parse_model(TerminateRequest, body)
    await runs.terminate(workflow_id, request.reason)
    return CancelResponse(workflow_id=workflow_id, status="terminated")


# Declared last: workflow ids may contain "/" (child and batch runs), and this route would otherwise
# swallow ".../result" and ".../queries/NAME".
@router.get(
    "/{workflow_id:path}/graph",
    response_class=PlainTextResponse,
    summary="Draw a run",
    responses={200: {"content": {"text/plain": {}}, "description": _GRAPH_TEXT}, **_ERRORS},
)
async def run_graph(
    workflow_id: str,
    runs: RunsDep,
    format: Annotated[Literal["mermaid", "dot"], Query(description="mermaid (default) or dot")] = "mermaid",
) -> PlainTextResponse:
    """The flowchart of the definition the run is pinned to, with each step's state in the run (completed,
    running, failed, skipped, compensated) as Mermaid classes or DOT colours (docs/GRAPHS.md)."""
    return PlainTextResponse(render(await draw_run(runs.inspector, workflow_id), format))


@router.get("/{workflow_id:path}", response_model=RunStatusResponse, summary="Run status", responses=_ERRORS)
async def run_status(
    workflow_id: str,
    runs: RunsDep,
    progress: Annotated[bool, Query(description="Include the built-in progress (YAML runs).")] = True,
) -> RunStatusResponse:
    """Status, definition name/version/sha256, times, and the built-in progress: current and completed
    steps, pending waits and signals, compensations."""
    info = await runs.info(workflow_id, progress=progress)
    return RunStatusResponse(**info.as_dict())
