"""``do``: run a block of steps in order, as one step (which ``retry:`` may run again as a whole)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import Drawing, Fact, Lists, Nested, StepKind, StepList
from .options import RetriedStep


class DoStep(RetriedStep):
    """Run steps in order as one step; its result is the last step's."""

    do: Annotated[StepList, Nested("do", segment="do")] = Field(description="The steps of the block.")


KIND = StepKind(
    "do",
    DoStep,
    "Run a block of steps (retried as a whole with retry:).",
    outline=(Lists("steps", ("do",), always=True),),
    drawing=Drawing("subroutine", "fan", facts=(Fact("retry", ("retry", "maximum_attempts")),)),
)
