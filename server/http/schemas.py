"""Request and response bodies of the HTTP API (they document themselves in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CancelResponse",
    "DefinitionDetail",
    "DefinitionList",
    "DefinitionSummary",
    "ErrorBody",
    "ErrorItem",
    "ErrorRecord",
    "HandlerResponse",
    "Health",
    "InvalidDefinition",
    "OutcomeResponse",
    "RunList",
    "RunStatusResponse",
    "RunSummary",
    "SignalResponse",
    "StartRequest",
    "StartResponse",
    "TerminateRequest",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(BaseModel):
    """One schema violation (in ``details.errors`` of a 422 answer)."""

    path: str
    message: str
    validator: str | None = None


class ErrorRecord(BaseModel):
    """An error: always these six keys, ``null`` where unknown (the shape of ``tdsl.errors.ErrorRecord``)."""

    type: str = Field(description="Stable error name, e.g. UnknownDefinition, InvalidInput, DefinitionError.")
    message: str
    step: str | None = Field(description="The step it happened in, when it happened in a run.")
    file: str | None = Field(description="The definition file it points at, when known.")
    line: int | None = Field(description="The line in that file, when known.")
    details: Any = Field(
        description="Structured details: ``{errors: [{path, message, validator}]}`` for schema violations "
        "(422), ``{workflow_id, status, ...}`` for a run's state, the failure's details for a failed run."
    )


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer."""

    error: ErrorRecord


class DefinitionSummary(BaseModel):
    name: str
    kind: Literal["yaml", "code"]
    version: int | str | None = None
    description: str | None = None
    sha256: str | None = Field(default=None, description="sha256 of the YAML text (YAML definitions).")
    commit: str | None = Field(default=None, description="git commit of the definitions folder, if any.")
    file: str | None = None


class InvalidDefinition(BaseModel):
    file: str
    errors: list[str] = Field(description="file:line:col: CODE message, for every error.")


class DefinitionList(BaseModel):
    definitions: list[DefinitionSummary]
    invalid: list[InvalidDefinition] = Field(description="Files that failed validation; never started.")


class HandlerDecl(BaseModel):
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema", serialization_alias="schema")

    model_config = ConfigDict(populate_by_name=True)


class DefinitionDetail(DefinitionSummary):
    id_template: str | None = Field(
        default=None, description="Workflow id template; makes starts idempotent."
    )
    input_schema: dict[str, Any] | None = Field(default=None, description="JSON Schema of the run input.")
    signals: dict[str, HandlerDecl] = Field(default_factory=dict)
    queries: dict[str, HandlerDecl] = Field(default_factory=dict)
    updates: dict[str, HandlerDecl] = Field(default_factory=dict)
    steps: list[dict[str, Any]] = Field(default_factory=list, description="Outline of the steps.")
    parameters: list[str] | None = Field(default=None, description="run() parameters (code workflows).")


class StartRequest(_Body):
    """Start a run. Put the run input under ``input``."""

    input: Any = Field(default=None, description="The run input (validated against the input schema).")
    workflow_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Workflow id; default: the definition's id template, else a generated one.",
    )
    wait: bool = Field(default=False, description="Wait for the result (up to `timeout` seconds).")
    timeout: float | None = Field(default=None, ge=0, description="Seconds to wait when `wait` is true.")
    delay: float | None = Field(
        default=None,
        ge=0,
        le=10 * 365 * 86400,
        description="Start delay in seconds (the run's first step waits this long).",
    )


class StartResponse(BaseModel):
    workflow_id: str
    run_id: str | None
    definition: str
    existing: bool = Field(description="True when an idempotent start returned the run already there.")
    status: str | None = Field(default=None, description="With `wait`: RUNNING, COMPLETED, FAILED, ...")
    result: Any = None
    error: ErrorRecord | None = Field(default=None, description="What ended a run that did not complete.")


class RunStatusResponse(BaseModel):
    workflow_id: str
    run_id: str | None
    workflow_type: str = Field(description="The definition name (or code workflow name).")
    status: str
    start_time: str | None
    close_time: str | None
    execution_time: str | None
    task_queue: str | None
    history_length: int | None
    definition: str | None = None
    version: int | str | None = None
    sha256: str | None = None
    commit: str | None = None
    progress: dict[str, Any] | None = Field(default=None, description="The built-in progress (YAML runs).")
    stalled: list[dict[str, Any]] | None = Field(
        default=None,
        description="Why a running run is not progressing: each {reason, message, details} (no worker, "
        "a failing workflow task, an activity retrying, a start delay).",
    )
    error: ErrorRecord | None = Field(default=None, description="What ended a run that did not complete.")


class OutcomeResponse(BaseModel):
    workflow_id: str
    status: str = Field(description="RUNNING (not done yet), COMPLETED, FAILED, CANCELED, TERMINATED...")
    result: Any = None
    error: ErrorRecord | None = Field(default=None, description="What ended a run that did not complete.")


class RunSummary(BaseModel):
    workflow_id: str
    run_id: str | None
    workflow_type: str
    status: str
    start_time: str | None
    close_time: str | None
    task_queue: str | None = None


class RunList(BaseModel):
    runs: list[RunSummary]


class SignalResponse(BaseModel):
    workflow_id: str
    signal: str
    accepted: bool = True


class HandlerResponse(BaseModel):
    workflow_id: str
    name: str
    result: Any = None


class CancelResponse(BaseModel):
    workflow_id: str
    status: Literal["cancel_requested", "terminated"]


class TerminateRequest(_Body):
    reason: str | None = Field(default=None, max_length=10_000)


class Health(BaseModel):
    status: Literal["healthy", "degraded"]
    temporal: dict[str, Any]
    timestamp: str
