"""Typed models of the definition language (pydantic v2).

These models are the tree the interpreter walks. Each step kind is declared once, in its own module under
``dsl_schema/kinds/`` (its model, its nested step lists and their scopes, the roles of its values, its
readable outline); this module adds the definition itself and re-exports the public names. The published
``workflow.schema.json`` is generated from these models (``python -m tdsl.dsl_schema.generate``), and
``tests/dsl_schema/test_schema_models_agree.py`` proves both accept and reject the same documents.

A step is a mapping with exactly one *kind key* (``activity``, ``set``, ``wait``, ``wait_for``, ``switch``,
``parallel``, ``foreach``, ``while``, ``try``, ``do``, ``child``, ``return``, ``fail``, ``raise``) plus the
common keys ``id``, ``name``, ``if`` and (for activity and child steps) ``compensate``.

Values that may hold expressions are typed ``Template`` (any JSON value; strings are Jinja2 templates,
rendered recursively inside lists and mappings). Durations are ``Duration``: a number of seconds, a string
such as ``30s``/``5m``/``24h``/``2d``/``PT30S``, or an expression that renders to one of those.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import ConfigDict, Field

from .kinds import KINDS, MODEL_KINDS, STEP_KINDS, Step, kind_of, rebuild, step_kind
from .kinds.activity import ActivityStep
from .kinds.base import (
    CONDITION,
    DEFINITION_NAME_PATTERN,
    IDENTIFIER_PATTERN,
    MAX_ATTEMPTS,
    PERCENTAGE_PATTERN,
    TEMPLATE,
    TEMPLATE_PATTERN,
    AssignsVars,
    DefinitionName,
    Duration,
    Expr,
    Identifier,
    Integer,
    Model,
    NonEmptyStr,
    StepBase,
    StepKind,
    StepList,
    Steps,
    Template,
    TemplateString,
)
from .kinds.child import ChildBody, ChildStep
from .kinds.do import DoStep
from .kinds.fail import FailBody, FailStep
from .kinds.foreach import MAX_CONCURRENCY, ForeachBody, ForeachStep
from .kinds.options import ActivityCall, ActivityOptions, Compensation, Defaults, RetriedStep, RetryPolicy
from .kinds.parallel import ParallelBody, ParallelStep
from .kinds.raise_ import RaiseBody, RaiseStep
from .kinds.return_ import ReturnStep
from .kinds.set_ import SetStep
from .kinds.switch import SwitchBody, SwitchCase, SwitchStep
from .kinds.try_ import CatchClause, TryStep
from .kinds.wait import WaitFor, WaitStep, WaitUntil
from .kinds.wait_for import WaitForSignals, WaitForStep
from .kinds.while_ import WhileBody, WhileStep

_Model = Model
_StepBase = StepBase
_MODEL_KINDS = MODEL_KINDS


class SignalDecl(Model):
    """A signal the definition accepts; ``schema`` validates its payload."""

    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema",
                                           description="JSON Schema of the payload.")


class QueryDecl(Model):
    """A read-only view of the run state, computed from ``value`` (a template)."""

    description: str | None = None
    value: Template = Field(default=None, description="Template over the run state.")


class UpdateDecl(Model):
    """A validated, state-changing request that returns a value."""

    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    validate_: Annotated[str, CONDITION] | None = Field(default=None, alias="validate")
    message: str | None = None
    set: Annotated[dict[Identifier, Expr], AssignsVars()] | None = None
    return_: Expr = Field(default=None, alias="return")


SCHEDULE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
DEFAULT_TIMEZONE = "UTC"
ScheduleName: TypeAlias = Annotated[str, Field(pattern=SCHEDULE_NAME_PATTERN, max_length=100)]
OverlapPolicy: TypeAlias = Literal[
    "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
]


class ScheduleDecl(Model):
    """When to start the definition (``cron`` or ``interval``), with which input, and what to do when a run
    is still going when the next is due (``docs/SCHEDULES.md``; the checks: ``lint/check_schedules.py``)."""

    description: str | None = None
    cron: NonEmptyStr | None = Field(
        default=None,
        description="Five-field cron expression (minute hour day-of-month month day-of-week) or @daily, "
                    "@hourly, ...; read in `timezone`.",
    )
    interval: Duration | None = Field(default=None, description="Start every this long (instead of cron).")
    offset: Duration | None = Field(
        default=None, description="With interval: shift the start times by this much (shorter than interval)."
    )
    timezone: NonEmptyStr = Field(default=DEFAULT_TIMEZONE, description="IANA time zone of the cron fields.")
    input: Any = Field(
        default=None, description="Input of every run (data, checked against the input schema)."
    )
    overlap: OverlapPolicy = Field(
        default="skip", description="What to do when the previous run is still open."
    )
    catchup_window: Duration | None = Field(
        default=None, description="How late a missed start may still happen (default one year)."
    )
    jitter: Duration | None = Field(default=None, description="Delay each start by a random time up to this.")
    paused: bool = Field(default=False, description="Create the schedule paused.")
    note: str | None = Field(default=None, description="Note shown with the schedule's state.")


class Definition(Model):
    """A whole workflow definition (one YAML file)."""

    model_config = ConfigDict(json_schema_extra={
        "title": "Temporal DSL workflow definition",
        "description": "A declarative workflow interpreted by the generic Temporal DSL workflow.",
    })

    name: DefinitionName = Field(description="Definition name; the workflow type of its runs.")
    version: Integer | str = Field(default=1,
                                   description="Version of the definition (recorded in each run's memo).")
    description: str | None = None
    id: Annotated[str, TEMPLATE] | None = Field(
        default=None,
        description="Workflow id template, e.g. order-{{ input.order_id }}; makes starts idempotent.",
    )
    id_reuse: Literal["unless_completed", "always", "never"] | None = Field(
        default=None,
        description="When a start whose id (from the id template) names an earlier run starts a new run: "
        "unless_completed (default: a running or completed run is returned; after a failure, cancellation "
        "or termination a new run starts), always (only a running run is returned), never (any earlier "
        "run is returned).",
    )
    input: dict[str, Any] | None = Field(default=None, description="JSON Schema of the run input.")
    defaults: Defaults | None = Field(
        default=None, description="Activity options applied where a step sets none."
    )
    vars: dict[Identifier, Template] | None = Field(
        default=None, description="Initial variables (templates)."
    )
    signals: dict[Identifier, SignalDecl] | None = None
    queries: dict[Identifier, QueryDecl] | None = None
    updates: dict[Identifier, UpdateDecl] | None = None
    steps: Steps
    output: Template = Field(default=None, description="Result of the run (template).")
    failure_output: Template = Field(
        default=None,
        description="Returned instead of failing, after compensation "
                    "(template; sees error and compensations).",
    )
    compensation_order: Literal["reverse", "parallel"] = "reverse"
    schedules: dict[ScheduleName, ScheduleDecl] | None = Field(
        default=None,
        description="Temporal Schedules starting this definition (tdsl schedules apply; docs/SCHEDULES.md).",
    )


rebuild(Definition)

__all__ = [
    "DEFINITION_NAME_PATTERN", "IDENTIFIER_PATTERN", "KINDS", "MAX_ATTEMPTS", "MAX_CONCURRENCY",
    "PERCENTAGE_PATTERN", "STEP_KINDS", "TEMPLATE_PATTERN",
    "ActivityCall", "ActivityOptions", "ActivityStep", "CatchClause", "ChildBody", "ChildStep",
    "Compensation", "Defaults", "Definition", "DefinitionName", "DoStep", "Duration", "FailBody", "FailStep",
    "ForeachBody", "ForeachStep",
    "Identifier", "Integer", "NonEmptyStr", "ParallelBody", "ParallelStep", "QueryDecl", "RaiseBody",
    "RaiseStep", "RetriedStep", "RetryPolicy", "ReturnStep", "ScheduleDecl", "SetStep", "SignalDecl", "Step",
    "StepKind", "StepList", "SwitchBody", "SwitchCase",
    "SwitchStep", "Template", "TemplateString", "TryStep", "UpdateDecl", "WaitFor", "WaitForSignals",
    "WaitForStep", "WaitStep", "WaitUntil", "WhileBody", "WhileStep", "kind_of", "step_kind",
]
