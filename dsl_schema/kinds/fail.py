"""``fail``: end the run with a typed error."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import TEMPLATE, Drawing, Expr, Fact, Model, StepBase, StepKind


class FailBody(Model):
    message: Annotated[str, TEMPLATE]
    type: Annotated[str, Field(min_length=1), TEMPLATE] = Field(
        default="WorkflowFailed", description="The error's type (template: it must give a non-empty text)."
    )
    details: Expr = None


class FailStep(StepBase):
    """End the run with a typed error."""

    fail: Annotated[str, TEMPLATE] | FailBody


KIND = StepKind(
    "fail",
    FailStep,
    "End the run with a typed error.",
    outline=(Fact("fail", ("fail", "type"), default="WorkflowFailed"),),
    terminal=True,
    drawing=Drawing("stadium", end="failed"),
)
