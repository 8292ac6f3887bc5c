"""``while``: repeat steps while ``condition`` holds, at most ``max_iterations`` times."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import (
    Condition,
    Drawing,
    Fact,
    Integer,
    Lists,
    Model,
    Nested,
    Sees,
    ShapedStep,
    StepKind,
    StepList,
)


class WhileBody(Model):
    condition: Annotated[Condition, Sees(names=("loop",))]
    max_iterations: Annotated[Integer, Field(ge=1)]
    steps: Annotated[StepList, Nested("steps", names=("loop",), segment="")]


class WhileStep(ShapedStep):
    """Repeat steps while ``condition`` holds, at most ``max_iterations`` times."""

    while_: WhileBody = Field(alias="while")


KIND = StepKind(
    "while",
    WhileStep,
    "Bounded loop.",
    outline=(
        Fact("condition", ("while", "condition")),
        Fact("max_iterations", ("while", "max_iterations")),
        Lists("steps", ("while", "steps"), always=True),
    ),
    drawing=Drawing("hexagon", "loop", back="again"),
)
