"""``parallel``: run branches concurrently; ``all`` waits for every branch, ``first`` cancels the rest."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Drawing, Fact, Identifier, Lists, Model, Nested, StepKind, StepList
from .options import RetriedStep


class ParallelBody(Model):
    branches: Annotated[dict[Identifier, StepList], Nested("branch", branch=True, segment="{key}")] = Field(
        min_length=1
    )
    mode: Literal["all", "first"] = "all"


class ParallelStep(RetriedStep):
    """Run branches concurrently; ``all`` waits for every branch, ``first`` cancels the rest."""

    parallel: ParallelBody


KIND = StepKind(
    "parallel",
    ParallelStep,
    "Run branches concurrently.",
    outline=(Fact("mode", ("parallel", "mode"), default="all"),
             Lists("branches", ("parallel", "branches"), keyed=True)),
    drawing=Drawing("subroutine", "fan", join="mode", facts=(Fact("retry", ("retry", "maximum_attempts")),)),
)
