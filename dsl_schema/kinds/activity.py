"""``activity``: call a registered activity; its result becomes ``steps.<id>``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import TEMPLATE, Drawing, Fact, Sees, ShapedStep, StepKind
from .options import ActivityCall, ActivityOptions, Compensation

COMPENSATE = Sees(names=("result",), own_result=True)
"""A compensation is rendered when its step succeeds: it sees the step's own result, as ``result``."""


class ActivityStep(ShapedStep, ActivityOptions, ActivityCall):
    """Call a registered activity. Its result becomes ``steps.<id>``."""

    summary: Annotated[str, TEMPLATE] | None = Field(
        default=None, description="One line shown for the call in the Web UI (template)."
    )
    compensate: Annotated[Compensation, COMPENSATE] | None = None


KIND = StepKind(
    "activity",
    ActivityStep,
    "Call a registered activity.",
    outline=(Fact("activity", ("activity",)), Fact("compensate", ("compensate", "activity"))),
    drawing=Drawing("box", facts=(Fact("activity", ("activity",)),), compensate=("compensate",)),
)
