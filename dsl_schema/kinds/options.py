"""Activity call options, shared by activity steps, compensations and the definition's ``defaults``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from .base import MAX_ATTEMPTS, TEMPLATE, Duration, Integer, Model, NonEmptyStr, ShapedStep


class RetryPolicy(Model):
    """Temporal retry policy; every field of Temporal's ``RetryPolicy``."""

    model_config = ConfigDict(json_schema_extra={"description": "Temporal retry policy."})

    initial_interval: Duration | None = None
    backoff_coefficient: Annotated[float, Field(ge=1)] | None = None
    maximum_interval: Duration | None = None
    maximum_attempts: Annotated[Integer, Field(ge=0, le=MAX_ATTEMPTS)] | None = None
    non_retryable_errors: list[str] | None = None
    jitter: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None,
        description="Spread each backoff delay at random by up to this fraction (0.2: 80% to 120% of it), "
                    "drawn deterministically in the workflow; an activity with jitter is retried by the "
                    "workflow, one scheduled attempt at a time.",
    )


class ActivityOptions(Model):
    """Options shared by activity steps, compensations and ``defaults``."""

    timeout: Duration | None = Field(default=None, description="Start-to-close timeout of each attempt.")
    schedule_to_close: Duration | None = Field(default=None, description="Overall timeout including retries.")
    schedule_to_start: Duration | None = Field(default=None,
                                               description="How long the task may wait for a worker.")
    heartbeat: Duration | None = Field(default=None, description="Heartbeat timeout.")
    retry: RetryPolicy | None = None
    task_queue: NonEmptyStr | None = Field(default=None, description="Task queue of the activity's worker.")


class Defaults(ActivityOptions):
    """Definition-wide defaults for activity options."""


class ActivityCall(Model):
    """The call of an activity: its name and arguments (templates)."""

    activity: NonEmptyStr = Field(description="Registered activity name.")
    args: Annotated[list[Any], TEMPLATE] | None = Field(default=None,
                                                        description="Positional arguments (templates).")
    kwargs: Annotated[dict[str, Any], TEMPLATE] | None = Field(default=None,
                                                               description="Keyword arguments (templates).")


class Compensation(ActivityOptions, ActivityCall):
    """The undo action of a step: an activity call, its arguments rendered when the step succeeds."""

    model_config = ConfigDict(
        json_schema_extra={"description": "Undo action run on failure or cancellation."}
    )


class RetriedStep(ShapedStep):
    """A step holding other steps, which ``retry:`` may run again as a whole when it fails (backoff in
    durable timers; ``attempt`` counts the runs)."""

    retry: RetryPolicy | None = Field(
        default=None,
        description="Run the whole step again when it fails with a retryable error (the fields of an "
                    "activity's retry policy; 3 attempts unless maximum_attempts says otherwise).",
    )
