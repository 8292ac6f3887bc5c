"""``do``: a block of steps run in order as one step; its result is the last step's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import DoStep

from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(DoStep)
async def run_do(interp: Interpreter, step: DoStep, frame: Frame, path: str) -> Any:
    return await interp.run_steps(step.do, frame, f"{path}/do")
