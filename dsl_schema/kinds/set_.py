"""``set``: assign variables (``vars.<name>``) from templates."""

from __future__ import annotations

from typing import Annotated

from .base import AssignsVars, Drawing, Expr, Fact, Identifier, ShapedStep, StepKind


class SetStep(ShapedStep):
    """Assign variables (``vars.<name>``) from templates."""

    set: Annotated[dict[Identifier, Expr], AssignsVars()]


KIND = StepKind(
    "set", SetStep, "Assign variables.", outline=(Fact("vars", ("set",), keys=True),), drawing=Drawing("lean")
)
