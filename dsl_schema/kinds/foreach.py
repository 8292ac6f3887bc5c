"""``foreach``: run steps for each item, at most ``concurrency`` at a time, results kept in input order."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .base import (
    ITEMS,
    PERCENTAGE_PATTERN,
    TEMPLATE,
    Drawing,
    Expr,
    Fact,
    FromField,
    Identifier,
    Integer,
    Lists,
    Model,
    Nested,
    Sees,
    StepKind,
    StepList,
    TemplateString,
)
from .options import RetriedStep

MAX_CONCURRENCY = 1000
"""The most items of one loop that may run at once."""

MAX_RESULTS_BYTES = 1_500_000
"""The most a ``collect: all`` loop keeps (as JSON). Temporal refuses payloads over 2 MB, and a step's result
travels on in the run's output, a batch's result or a continue-as-new: past this, the loop fails with
``ResultTooLarge`` at once, naming the fix, instead of the run failing later where it hits the limit."""


class ForeachBody(Model):
    items: Annotated[Any, ITEMS] = Field(description="List (or expression giving one).")
    as_: Identifier = Field(default="item", alias="as")
    # A literal, or one expression rendered and checked when the step runs (interpreter/steps/foreach.py).
    concurrency: Annotated[
        Annotated[Integer, Field(ge=1, le=MAX_CONCURRENCY)] | TemplateString, TEMPLATE
    ] = Field(default=1, description=f"Items running at once: 1..{MAX_CONCURRENCY}, or one expression giving "
                                     "that number.")
    tolerate_failures: Annotated[
        Annotated[Integer, Field(ge=0)] | Annotated[str, Field(pattern=PERCENTAGE_PATTERN)] | TemplateString,
        TEMPLATE,
    ] = Field(default=0, description="Failed items tolerated: a count, a percentage such as '10%', or one "
                                     "expression giving either.")
    steps: Annotated[
        StepList, Nested("steps", names=(FromField("as", "item"), "index"), frame=True, segment="")
    ]
    result: Annotated[Expr, Sees(after="steps")] = None
    collect: Literal["all", "summary"] = Field(
        default="all",
        description="What the step keeps: `all` (every item's result, in input order) or `summary` (the "
                    "counts and the first failed items only), for lists whose results would not fit in a "
                    "Temporal payload.",
    )


class ForeachStep(RetriedStep):
    """Run steps for each item, at most ``concurrency`` at a time, results kept in input order."""

    foreach: ForeachBody


KIND = StepKind(
    "foreach",
    ForeachStep,
    "Run steps for each item.",
    outline=(
        Fact("items", ("foreach", "items")),
        Fact("as", ("foreach", "as")),
        Fact("concurrency", ("foreach", "concurrency")),
        Lists("steps", ("foreach", "steps"), always=True),
    ),
    drawing=Drawing("hexagon", "loop", back="next item", facts=(
        Fact("items", ("foreach", "items")),
        Fact("as", ("foreach", "as"), default="item"),
        Fact("concurrency", ("foreach", "concurrency"), default=1),
        Fact("tolerate_failures", ("foreach", "tolerate_failures")),
        Fact("collect", ("foreach", "collect")),
        Fact("retry", ("retry", "maximum_attempts")),
    )),
)
