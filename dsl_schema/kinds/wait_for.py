"""``wait_for``: wait for the first of several declared signals, optionally with a timeout."""

from __future__ import annotations

from typing import Annotated

from .base import (
    Drawing,
    Duration,
    Fact,
    Identifier,
    Lists,
    Model,
    Nested,
    Otherwise,
    ShapedStep,
    SignalsWaited,
    StepKind,
    StepList,
)


class WaitForSignals(Model):
    signals: Annotated[
        list[Identifier]
        | Annotated[dict[Identifier, StepList], Nested("signal", names=("signal",), segment="{key}")],
        SignalsWaited(),
    ]
    timeout: Duration | None = None
    on_timeout: Annotated[StepList, Nested("on_timeout", segment="on_timeout")] | None = None


class WaitForStep(ShapedStep):
    """Wait for the first of several declared signals, optionally with a timeout."""

    wait_for: WaitForSignals


KIND = StepKind(
    "wait_for",
    WaitForStep,
    "Wait for one of several signals.",
    outline=(
        Fact("signals", ("wait_for", "signals"), keys=True),
        Lists("branches", ("wait_for", "signals"), keyed=True),
        Fact("timeout", ("wait_for", "timeout")),
        Lists("on_timeout", ("wait_for", "on_timeout")),
    ),
    drawing=Drawing("hexagon", "fan", otherwise=Otherwise(
        "timeout", when=(("wait_for", "timeout"),), unless=(("wait_for", "on_timeout"),))),
)
