"""``POST /definitions/{name}/upgrade``: offer the current definition of a name to its open runs, checked
(docs/UPGRADE.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ...runs import RunService
from ..deps import get_runs, json_payload, parse_model, require_token
from ..schemas import ErrorBody, _Body

router = APIRouter(prefix="/definitions", tags=["definitions"], dependencies=[Depends(require_token)])

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (400, 401, 404, 422, 503)}


class UpgradeRequest(_Body):
    """Which open runs to offer the definition to, and whether only to report."""

    dry_run: bool = Field(default=False, description="Only report, per run, compatible or why not.")
    query: str | None = Field(
        default=None, description="Only the open runs this visibility query selects."
    )
    run_id: str | None = Field(default=None, min_length=1, description="Only this run (workflow or run id).")


class DefinitionRef(BaseModel):
    version: int | str | None = None
    sha256: str | None = None


class RunUpgradeResult(BaseModel):
    workflow_id: str
    run_id: str
    status: str = Field(
        description="compatible / incompatible (dry run), moved / refused / rejected, or current."
    )
    reason: str | None = Field(default=None, description="Why not, in the DSL's terms.")
    step: str | None = None
    file: str | None = None
    line: int | None = None
    moves_at: str | None = Field(default=None, description="Where the run moves to the new definition.")
    from_: DefinitionRef = Field(alias="from")
    to: DefinitionRef


class UpgradeResponse(BaseModel):
    definition: str
    dry_run: bool
    runs: list[RunUpgradeResult]


@router.post(
    "/{name}/upgrade",
    response_model=UpgradeResponse,
    response_model_by_alias=True,
    summary="Upgrade open runs to the current definition",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": UpgradeRequest.model_json_schema()}},
        }
    },
)
async def upgrade_runs(
    name: str,
    runs: Annotated[RunService, Depends(get_runs)],
    body: Annotated[Any, Depends(json_payload)],
) -> UpgradeResponse:
    """Offer the current definition of ``name`` to its open runs (all, those ``query`` selects, or
    ``run_id``). Each run is checked statically and by replaying its history; the run validates the offer
    itself and moves at its next safe point. One result per run."""
    request = parse_model(UpgradeRequest, body)
    reports = await runs.upgrade(name, dry_run=request.dry_run, query=request.query, run_id=request.run_id)
    return UpgradeResponse(
        definition=name,
        dry_run=request.dry_run,
        runs=[RunUpgradeResult.model_validate(report.as_dict()) for report in reports],
    )
