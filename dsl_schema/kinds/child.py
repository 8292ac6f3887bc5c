"""``child``: run another definition of the catalog as a child workflow."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .activity import COMPENSATE
from .base import (
    TEMPLATE,
    DefinitionName,
    Drawing,
    Expr,
    Fact,
    Model,
    NonEmptyStr,
    StepKind,
)
from .options import Compensation, RetriedStep


class ChildBody(Model):
    definition: DefinitionName
    input: Expr = None
    id: Annotated[str, TEMPLATE] | None = None
    wait: bool = True
    task_queue: NonEmptyStr | None = None
    summary: Annotated[str, TEMPLATE] | None = Field(
        default=None, description="One line shown for the child run in the Web UI (template)."
    )


class ChildStep(RetriedStep):
    """Run another definition of the catalog as a child workflow."""

    child: ChildBody
    compensate: Annotated[Compensation, COMPENSATE] | None = None


KIND = StepKind(
    "child",
    ChildStep,
    "Run another definition as a child workflow.",
    outline=(
        Fact("definition", ("child", "definition"), default=None),
        Fact("wait", ("child", "wait"), default=True),
        Fact("compensate", ("compensate", "activity")),
    ),
    drawing=Drawing("subroutine", facts=(Fact("definition", ("child", "definition")),
                                         Fact("wait", ("child", "wait"), default=True),
                                         Fact("retry", ("retry", "maximum_attempts"))),
                    compensate=("compensate",)),
)
