"""``set``: assign run variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import SetStep

from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(SetStep)
async def run_set(interp: Interpreter, step: SetStep, frame: Frame, path: str) -> Any:
    values = {name: interp.render(value, frame, path) for name, value in step.set.items()}
    interp.state.vars.update(values)
    return values
