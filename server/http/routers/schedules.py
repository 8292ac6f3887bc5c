"""``/schedules``: apply the definitions' declared schedules, list them, and operate one (docs/SCHEDULES.md).

A schedule is addressed by its id or as ``definition:schedule`` on the engine's task queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ...engine import TemporalEngine
from ...schedules import ScheduleService
from ..deps import get_engine, json_payload, parse_model, require_token
from ..schemas import ErrorBody

router = APIRouter(prefix="/schedules", tags=["schedules"], dependencies=[Depends(require_token)])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 404, 413, 422, 502, 503)
}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    """The optional JSON body of an action (read with ``parse_model``, so an empty body means defaults)."""
    return {"requestBody": {"required": False,
                            "content": {"application/json": {"schema": model.model_json_schema()}}}}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplyRequest(_Body):
    prune: bool = Field(default=False, description="Also delete owned schedules that are no longer declared.")
    dry_run: bool = Field(default=False, description="Only report what would change.")


class NoteRequest(_Body):
    note: str | None = Field(default=None, max_length=10_000)


class BackfillRequest(_Body):
    start: datetime
    end: datetime


class ScheduleChange(BaseModel):
    action: str = Field(description="create, update, delete or unchanged")
    id: str
    definition: str | None
    schedule: str | None
    fields: list[str] = Field(description="For an update: the declared fields that differ.")


class SchedulePlan(BaseModel):
    applied: bool = Field(description="False for a dry run.")
    summary: dict[str, int]
    changes: list[ScheduleChange]


class ScheduledRun(BaseModel):
    scheduled_at: str | None
    started_at: str | None
    workflow_id: str | None


class ScheduleSummary(BaseModel):
    id: str
    definition: str | None
    schedule: str | None
    paused: bool
    note: str | None
    actions: int = Field(description="How many runs it has started.")
    next_starts: list[str | None]
    recent_runs: list[ScheduledRun]
    declared: dict[str, Any] | None = None


class ScheduleList(BaseModel):
    schedules: list[ScheduleSummary]


class Deleted(BaseModel):
    id: str
    definition: str | None
    schedule: str | None
    deleted: bool


async def get_schedules(engine: Annotated[TemporalEngine, Depends(get_engine)]) -> ScheduleService:
    """The engine's schedule service (503 until the engine is started)."""
    return engine.schedules


SchedulesDep = Annotated[ScheduleService, Depends(get_schedules)]
PayloadDep = Annotated[Any, Depends(json_payload)]


@router.get("", response_model=ScheduleList, summary="Owned schedules", responses=_ERRORS)
async def list_schedules(schedules: SchedulesDep) -> ScheduleList:
    """The schedules tdsl owns on the engine's task queue (a schedule created a moment ago may be missing:
    listing goes through the server's visibility)."""
    return ScheduleList(schedules=[ScheduleSummary(**s) for s in await schedules.list_schedules()])


@router.post("/apply", response_model=SchedulePlan, summary="Apply declared schedules", responses=_ERRORS,
             openapi_extra=_body(ApplyRequest))
async def apply_schedules(schedules: SchedulesDep, payload: PayloadDep) -> SchedulePlan:
    """Create and update schedules until Temporal matches the definitions (``prune``: also delete the ones
    no longer declared; ``dry_run``: change nothing). The answer lists every change."""
    request = parse_model(ApplyRequest, payload)
    plan = await schedules.apply(prune=request.prune, dry_run=request.dry_run)
    return SchedulePlan(**plan.to_dict())


@router.post("/{schedule:path}/pause", response_model=ScheduleSummary, summary="Pause a schedule",
             responses=_ERRORS, openapi_extra=_body(NoteRequest))
async def pause_schedule(schedule: str, schedules: SchedulesDep, payload: PayloadDep) -> ScheduleSummary:
    request = parse_model(NoteRequest, payload)
    return ScheduleSummary(**await schedules.pause(schedule, note=request.note))


@router.post("/{schedule:path}/unpause", response_model=ScheduleSummary, summary="Unpause a schedule",
             responses=_ERRORS, openapi_extra=_body(NoteRequest))
async def unpause_schedule(schedule: str, schedules: SchedulesDep, payload: PayloadDep) -> ScheduleSummary:
    request = parse_model(NoteRequest, payload)
    return ScheduleSummary(**await schedules.unpause(schedule, note=request.note))


@router.post("/{schedule:path}/trigger", response_model=ScheduleSummary, summary="Start a run now",
             responses=_ERRORS)
async def trigger_schedule(schedule: str, schedules: SchedulesDep) -> ScheduleSummary:
    """Start a run now as the schedule would; it shows in ``recent_runs`` once the server started it."""
    return ScheduleSummary(**await schedules.trigger(schedule))


@router.post("/{schedule:path}/backfill", response_model=ScheduleSummary, summary="Backfill a window",
             responses=_ERRORS, openapi_extra=_body(BackfillRequest))
async def backfill_schedule(schedule: str, schedules: SchedulesDep, payload: PayloadDep) -> ScheduleSummary:
    """Start every run the schedule would have started between ``start`` and ``end``."""
    request = parse_model(BackfillRequest, payload)
    return ScheduleSummary(**await schedules.backfill(schedule, request.start, request.end))


@router.delete("/{schedule:path}", response_model=Deleted, summary="Delete a schedule", responses=_ERRORS)
async def delete_schedule(schedule: str, schedules: SchedulesDep) -> Deleted:
    return Deleted(**await schedules.delete(schedule))


# Declared last: the path parameter would otherwise swallow ".../pause" and the other actions.
@router.get("/{schedule:path}", response_model=ScheduleSummary, summary="Describe a schedule",
            responses=_ERRORS)
async def describe_schedule(schedule: str, schedules: SchedulesDep) -> ScheduleSummary:
    return ScheduleSummary(**await schedules.describe(schedule))
