"""Typed models of the definition language (pydantic v2).

These models are the tree the interpreter walks. They mirror ``workflow.schema.json`` (the published
contract); ``tests/dsl_schema/test_schema_models_agree.py`` proves both accept and reject the same documents.

A step is a mapping with exactly one *kind key* (``activity``, ``set``, ``wait``, ``wait_for``, ``switch``,
``parallel``, ``foreach``, ``while``, ``try``, ``child``, ``return``, ``fail``) plus the common keys ``id``,
``name``, ``if`` and (for activity and child steps) ``compensate``.

Values that may hold expressions are typed ``Template`` (any JSON value; strings are Jinja2 templates,
rendered recursively inside lists and mappings). Durations are ``Duration``: a number of seconds, a string
such as ``30s``/``5m``/``24h``/``2d``/``PT30S``, or an expression that renders to one of those.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from .durations import MAX_DURATION_SECONDS

MAX_ATTEMPTS = 2**31 - 1
"""Temporal stores ``maximum_attempts`` as a 32-bit integer."""


def _integral(value: Any) -> Any:
    """JSON Schema counts ``3.0`` as an integer; accept it as ``3`` so models and schema agree."""
    return int(value) if type(value) is float and value.is_integer() else value


Integer: TypeAlias = Annotated[int, BeforeValidator(_integral)]
Template: TypeAlias = Any
Duration: TypeAlias = (
    Annotated[str, Field(min_length=1)] | Annotated[float, Field(ge=0, le=MAX_DURATION_SECONDS)]
)
NonEmptyStr: TypeAlias = Annotated[str, Field(min_length=1)]
Identifier: TypeAlias = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
DefinitionName: TypeAlias = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$", max_length=200)]
StepList: TypeAlias = list["Step"]

# [0-9], not \d: JSON Schema patterns are ECMA-262, where \d is ASCII only (in Python and Rust it is Unicode).
PERCENTAGE_PATTERN = r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%$"
# Exactly one ``{{ ... }}`` (no braces inside), so it renders to a native value; the schema uses the same
# pattern (``$defs/template_string``).
TEMPLATE_PATTERN = r"^\{\{[^{}]+\}\}$"
TemplateString: TypeAlias = Annotated[str, Field(pattern=TEMPLATE_PATTERN)]

STEP_KINDS: tuple[str, ...] = (
    "activity",
    "set",
    "wait",
    "wait_for",
    "switch",
    "parallel",
    "foreach",
    "while",
    "try",
    "child",
    "return",
    "fail",
)


class _Model(BaseModel):
    # Keys are validated by their YAML spelling only (``if``, not ``if_``), as the schema does.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        """An explicit ``null`` is only a value where any value is (templates); elsewhere the schema
        rejects it, and so do the models (``timeout:`` with nothing after it is a mistake, not a default)."""
        name = info.field_name
        if value is None and name is not None and cls.model_fields[name].annotation is not Any:
            raise ValueError("must not be null")
        return value


class RetryPolicy(_Model):
    """Temporal retry policy; every field of Temporal's ``RetryPolicy``."""

    initial_interval: Duration | None = None
    backoff_coefficient: Annotated[float, Field(ge=1)] | None = None
    maximum_interval: Duration | None = None
    maximum_attempts: Annotated[Integer, Field(ge=0, le=MAX_ATTEMPTS)] | None = None
    non_retryable_errors: list[str] | None = None


class ActivityOptions(_Model):
    """Options shared by activity steps, compensations and ``defaults``."""

    timeout: Duration | None = None
    schedule_to_close: Duration | None = None
    schedule_to_start: Duration | None = None
    heartbeat: Duration | None = None
    retry: RetryPolicy | None = None
    task_queue: NonEmptyStr | None = None


class Defaults(ActivityOptions):
    """Definition-wide defaults for activity options."""


class Compensation(ActivityOptions):
    """The undo action of a step: an activity call, its arguments rendered when the step succeeds."""

    activity: NonEmptyStr
    args: list[Template] | None = None
    kwargs: dict[str, Template] | None = None


class SignalDecl(_Model):
    """A signal the definition accepts; ``schema`` validates its payload."""

    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")


class QueryDecl(_Model):
    """A read-only view of the run state, computed from ``value`` (a template)."""

    description: str | None = None
    value: Template = None


class UpdateDecl(_Model):
    """A validated, state-changing request that returns a value."""

    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    validate_: str | None = Field(default=None, alias="validate")
    message: str | None = None
    set: dict[Identifier, Template] | None = None
    return_: Template = Field(default=None, alias="return")


class _StepBase(_Model):
    id: Identifier | None = None
    name: str | None = None
    if_: str | bool | None = Field(default=None, alias="if")


class ActivityStep(_StepBase, ActivityOptions):
    """Call a registered activity. Its result becomes ``steps.<id>``."""

    activity: NonEmptyStr
    args: list[Template] | None = None
    kwargs: dict[str, Template] | None = None
    summary: str | None = None
    compensate: Compensation | None = None


class SetStep(_StepBase):
    """Assign variables (``vars.<name>``) from templates."""

    set: dict[Identifier, Template]


class WaitUntil(_Model):
    until: str


class WaitFor(_Model):
    for_: Duration = Field(alias="for")


class WaitStep(_StepBase):
    """Sleep for a duration (``wait: 5m``) or until a timestamp (``wait: {until: ...}``)."""

    wait: Duration | WaitFor | WaitUntil


class WaitForSignals(_Model):
    signals: list[Identifier] | dict[Identifier, StepList]
    timeout: Duration | None = None
    on_timeout: StepList | None = None


class WaitForStep(_StepBase):
    """Wait for the first of several declared signals, optionally with a timeout."""

    wait_for: WaitForSignals


class SwitchCase(_Model):
    if_: str | bool = Field(alias="if")
    steps: StepList


class SwitchBody(_Model):
    cases: list[SwitchCase]
    default: StepList | None = None


class SwitchStep(_StepBase):
    """Run the steps of the first case whose ``if`` is true, else ``default``."""

    switch: SwitchBody


class ParallelBody(_Model):
    branches: dict[Identifier, StepList] = Field(min_length=1)
    mode: Literal["all", "first"] = "all"


class ParallelStep(_StepBase):
    """Run branches concurrently; ``all`` waits for every branch, ``first`` cancels the rest."""

    parallel: ParallelBody


class ForeachBody(_Model):
    items: Template
    as_: Identifier = Field(default="item", alias="as")
    # A literal, or one expression rendered and checked when the step runs (interpreter/steps/foreach.py).
    concurrency: Annotated[Integer, Field(ge=1, le=1000)] | TemplateString = 1
    tolerate_failures: (
        Annotated[Integer, Field(ge=0)] | Annotated[str, Field(pattern=PERCENTAGE_PATTERN)] | TemplateString
    ) = 0
    steps: StepList
    result: Template = None


class ForeachStep(_StepBase):
    """Run steps for each item, at most ``concurrency`` at a time, results kept in input order."""

    foreach: ForeachBody


class WhileBody(_Model):
    condition: str | bool
    max_iterations: Annotated[Integer, Field(ge=1)]
    steps: StepList


class WhileStep(_StepBase):
    """Repeat steps while ``condition`` holds, at most ``max_iterations`` times."""

    while_: WhileBody = Field(alias="while")


class CatchClause(_Model):
    errors: list[str] | None = None
    steps: StepList


class TryStep(_StepBase):
    """Run steps; on an error run the first matching ``catch``; always run ``finally``."""

    try_: StepList = Field(alias="try")
    catch: list[CatchClause] | None = None
    finally_: StepList | None = Field(default=None, alias="finally")


class ChildBody(_Model):
    definition: DefinitionName
    input: Template = None
    id: str | None = None
    wait: bool = True
    task_queue: NonEmptyStr | None = None


class ChildStep(_StepBase):
    """Run another definition of the catalog as a child workflow."""

    child: ChildBody
    compensate: Compensation | None = None


class ReturnStep(_StepBase):
    """End the run successfully with the given output."""

    return_: Template = Field(alias="return")


class FailBody(_Model):
    message: str
    type: str = "WorkflowFailed"
    details: Template = None


class FailStep(_StepBase):
    """End the run with a typed error."""

    fail: str | FailBody


def step_kind(value: Any) -> str | None:
    """Return the kind key of a raw step mapping (or model), or ``None`` when it has none."""
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return kind
        return None
    return _MODEL_KINDS.get(type(value))


Step = Annotated[
    Annotated[ActivityStep, Tag("activity")]
    | Annotated[SetStep, Tag("set")]
    | Annotated[WaitStep, Tag("wait")]
    | Annotated[WaitForStep, Tag("wait_for")]
    | Annotated[SwitchStep, Tag("switch")]
    | Annotated[ParallelStep, Tag("parallel")]
    | Annotated[ForeachStep, Tag("foreach")]
    | Annotated[WhileStep, Tag("while")]
    | Annotated[TryStep, Tag("try")]
    | Annotated[ChildStep, Tag("child")]
    | Annotated[ReturnStep, Tag("return")]
    | Annotated[FailStep, Tag("fail")],
    Discriminator(step_kind),
]

_MODEL_KINDS: dict[type, str] = {
    ActivityStep: "activity",
    SetStep: "set",
    WaitStep: "wait",
    WaitForStep: "wait_for",
    SwitchStep: "switch",
    ParallelStep: "parallel",
    ForeachStep: "foreach",
    WhileStep: "while",
    TryStep: "try",
    ChildStep: "child",
    ReturnStep: "return",
    FailStep: "fail",
}


class Definition(_Model):
    """A whole workflow definition (one YAML file)."""

    name: DefinitionName
    version: Integer | str = 1
    description: str | None = None
    id: str | None = None
    input: dict[str, Any] | None = None
    defaults: Defaults | None = None
    vars: dict[Identifier, Template] | None = None
    signals: dict[Identifier, SignalDecl] | None = None
    queries: dict[Identifier, QueryDecl] | None = None
    updates: dict[Identifier, UpdateDecl] | None = None
    steps: StepList = Field(min_length=1)
    output: Template = None
    failure_output: Template = None
    compensation_order: Literal["reverse", "parallel"] = "reverse"


for _model in (WaitForSignals, SwitchCase, SwitchBody, ParallelBody, ForeachBody, WhileBody, CatchClause,
               TryStep, Definition):
    _model.model_rebuild()
