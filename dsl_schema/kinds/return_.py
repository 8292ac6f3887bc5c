"""``return``: end the run successfully with the given output."""

from __future__ import annotations

from pydantic import Field

from .base import Drawing, Expr, StepBase, StepKind


class ReturnStep(StepBase):
    """End the run successfully with the given output."""

    return_: Expr = Field(alias="return")


KIND = StepKind(
    "return", ReturnStep, "End the run with an output.", terminal=True, drawing=Drawing("stadium", end="end")
)
