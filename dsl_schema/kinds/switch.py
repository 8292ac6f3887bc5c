"""``switch``: run the steps of the first case whose ``if`` is true, else ``default``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import (
    Clauses,
    Condition,
    Drawing,
    Lists,
    Model,
    Nested,
    Otherwise,
    ShapedStep,
    StepKind,
    StepList,
)


class SwitchCase(Model):
    if_: Condition = Field(alias="if")
    steps: Annotated[StepList, Nested("case", segment="case#{index}")]


class SwitchBody(Model):
    cases: list[SwitchCase]
    default: Annotated[StepList, Nested("default", segment="default")] | None = None


class SwitchStep(ShapedStep):
    """Run the steps of the first case whose ``if`` is true, else ``default``."""

    switch: SwitchBody


KIND = StepKind(
    "switch",
    SwitchStep,
    "First matching case runs.",
    outline=(Clauses("cases", ("switch", "cases"), facts=("if",)), Lists("default", ("switch", "default"))),
    drawing=Drawing("diamond", "fan", otherwise=Otherwise("no case", unless=(("switch", "default"),))),
)
