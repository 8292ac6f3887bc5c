"""``try``: run steps; on an error run the first matching ``catch``; always run ``finally``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import (
    Clauses,
    Condition,
    Drawing,
    Fact,
    Lists,
    Model,
    Nested,
    Sees,
    StepKind,
    StepList,
)
from .options import RetriedStep

CAUGHT = Sees(names=("error",))
"""A clause's ``when`` is rendered with the error it would catch, as ``error``."""


class CatchClause(Model):
    errors: list[str] | None = Field(
        default=None, description="Error types this clause catches, as written (no expressions)."
    )
    when: Annotated[Condition, CAUGHT] | None = Field(
        default=None, description="Catch only when this expression over error (type, message, details, "
                                  "step) is true."
    )
    steps: Annotated[StepList, Nested("catch", names=("error",), sees=("try",), segment="catch#{index}")]


class TryStep(RetriedStep):
    """Run steps; on an error run the first matching ``catch``; always run ``finally``."""

    try_: Annotated[StepList, Nested("try", segment="try")] = Field(alias="try")
    catch: list[CatchClause] | None = None
    finally_: Annotated[
        StepList, Nested("finally", sees=("try", "catch"), segment="finally")
    ] | None = Field(default=None, alias="finally")


KIND = StepKind(
    "try",
    TryStep,
    "Handle errors of steps.",
    outline=(
        Lists("steps", ("try",), always=True),
        Clauses("catch", ("catch",), facts=("errors",), optional=("when",)),
        Lists("finally", ("finally",)),
    ),
    drawing=Drawing("round", "fan", after=("finally",),
                    facts=(Fact("retry", ("retry", "maximum_attempts")),)),
)
