"""``/inspector``: the JSON the inspector page needs beyond the rest of the API (same bearer token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from tdsl.dsl_schema.graph import build_graph

from ..config import Settings
from ..http.deps import get_runs, get_settings, require_token
from ..http.schemas import ErrorBody
from ..runs import RunService
from .graph_data import graph_json
from .run_view import run_view

__all__ = ["router"]

router = APIRouter(prefix="/inspector", tags=["inspector"], dependencies=[Depends(require_token)])

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (401, 404, 503)}
RunsDep = Annotated[RunService, Depends(get_runs)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class InspectorConfig(BaseModel):
    namespace: str
    task_queue: str
    temporal_ui: str = Field(description="Base URL of Temporal's Web UI (links to runs).")


class GraphNode(BaseModel):
    id: str
    lines: list[str]
    shape: str
    kind: str | None
    path: str | None = Field(description="The step's run-time path (step nodes only).")
    role: str = Field(description="step, if, join, compensate, start, end or failed.")
    line: int | None = Field(description="The step's line in the definition file, when known.")


class GraphEdge(BaseModel):
    source: str
    target: str
    label: str
    style: str = Field(description="solid, dotted (skip or loop back-edge) or dashed (compensation).")


class GraphJSON(BaseModel):
    name: str
    file: str | None
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    states: dict[str, str] = Field(
        description="Node id -> completed, running, failed, skipped or compensated (runs only)."
    )
    mermaid: str = Field(description="The same graph as Mermaid text (`tdsl graph`).")


class RunView(BaseModel):
    workflow_id: str
    run_id: str | None
    workflow_type: str
    status: str
    start_time: str | None
    close_time: str | None
    execution_time: str | None = None
    task_queue: str | None
    history_length: int | None
    definition: str | None = None
    version: int | str | None = None
    sha256: str | None = None
    commit: str | None = None
    file: str | None = None
    temporal_ui: str = Field(description="The run in Temporal's Web UI.")
    outcome: dict[str, Any] = Field(description="status plus result (COMPLETED) or error (with file, line).")
    input: Any = None
    graph: GraphJSON | None = Field(description="The pinned definition's graph with the run's states.")
    steps: dict[str, Any] = Field(
        description="By step path: state, line and calls (what ran, outcome, attempt, error, times)."
    )
    saga: list[dict[str, Any]] = Field(description="Compensations in the order they ran, with outcomes.")
    waits: list[dict[str, Any]] = Field(description="Pending timers and signal waits, with deadlines.")
    handlers: dict[str, Any] | None = Field(
        description="Declared signals, queries and updates (with payload schemas) of the pinned definition."
    )
    progress: dict[str, Any] | None = None


def temporal_ui_base(settings: Settings) -> str:
    return settings.http.temporal_ui_url or f"http://localhost:{settings.dev.ui_port}"


@router.get("/config", response_model=InspectorConfig, summary="Inspector settings", responses=_ERRORS)
async def inspector_config(settings: SettingsDep) -> InspectorConfig:
    """The namespace and the base URL of Temporal's Web UI the page links runs to."""
    return InspectorConfig(
        namespace=settings.temporal.namespace,
        task_queue=settings.temporal.task_queue,
        temporal_ui=temporal_ui_base(settings),
    )


@router.get(
    "/definitions/{name}/graph", response_model=GraphJSON, summary="A definition's graph as JSON",
    responses=_ERRORS,
)
async def definition_graph_json(name: str, runs: RunsDep) -> GraphJSON:
    """The nodes and edges of ``tdsl graph`` (with each step's line in its file), for drawing."""
    entry = runs.definition(name)
    return GraphJSON(**graph_json(build_graph(entry.data), entry.source))


@router.get("/runs/{workflow_id:path}", response_model=RunView, summary="A run, for the inspector",
            responses=_ERRORS)
async def inspect_run(workflow_id: str, runs: RunsDep, settings: SettingsDep) -> RunView:
    """Status, input, outcome, the graph with the run's path, step calls with attempts and errors, the saga
    timeline, pending waits and the declared handlers, in one answer (the page polls it while the run
    is open)."""
    view = await run_view(
        runs.inspector,
        workflow_id,
        temporal_ui=temporal_ui_base(settings),
        namespace=settings.temporal.namespace,
    )
    return RunView(**view)
