"""``switch`` and ``while``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsl_schema.models import SwitchStep, WhileStep

from ..errors import StepError
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(SwitchStep)
async def run_switch(interp: Interpreter, step: SwitchStep, frame: Frame, path: str) -> Any:
    for index, case in enumerate(step.switch.cases):
        if interp.truthy(case.if_, frame, path):
            await interp.run_steps(case.steps, frame, f"{path}/case#{index}")
            return {"case": index}
    if step.switch.default is not None:
        await interp.run_steps(step.switch.default, frame, f"{path}/default")
        return {"case": "default"}
    return {"case": None}


@handles(WhileStep)
async def run_while(interp: Interpreter, step: WhileStep, frame: Frame, path: str) -> Any:
    spec = step.while_
    iteration = interp.resume_iteration.pop(path, 0)
    top_index = interp.top_level_index(step, frame)
    while True:
        view = frame.with_locals(loop={"index": iteration})
        if not interp.truthy(spec.condition, view, path):
            return {"iterations": iteration}
        if iteration >= spec.max_iterations:
            raise StepError(
                "MaxIterationsExceeded",
                f"while loop still true after max_iterations={spec.max_iterations}",
                step=path,
            )
        if top_index is not None and iteration > 0 and interp.runtime.continue_as_new_suggested():
            await interp.continue_as_new(top_index, {path: iteration})
        await interp.run_steps(spec.steps, view, f"{path}[{iteration}]")
        iteration += 1
