"""``wait``: sleep for a duration (``wait: 5m``) or until a timestamp (``wait: {until: ...}``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import TIMESTAMP, Drawing, Duration, Fact, Model, ShapedStep, StepKind


class WaitUntil(Model):
    until: Annotated[str, TIMESTAMP]


class WaitFor(Model):
    for_: Duration = Field(alias="for")


class WaitStep(ShapedStep):
    """Sleep for a duration (``wait: 5m``) or until a timestamp (``wait: {until: ...}``)."""

    wait: Duration | WaitFor | WaitUntil


KIND = StepKind(
    "wait", WaitStep, "Sleep for a duration or until a timestamp.", outline=(Fact("wait", ("wait",)),),
    drawing=Drawing("round"),
)
