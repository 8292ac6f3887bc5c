"""``switch`` (the first case whose ``if`` holds, else ``default``) and ``while`` (bounded by
``max_iterations``; a top-level loop continues as new when the server suggests it, see
:meth:`tdsl.interpreter.core.Interpreter.continue_as_new_payload`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import SwitchStep, WhileStep

from ..errors import ContinueAsNew, StepFailed
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
    ran_here = 0  # iterations of this run: each run of a continued loop makes progress before continuing
    while True:
        view = frame.with_locals(loop={"index": iteration})
        if not interp.truthy(spec.condition, view, path):
            return {"iterations": iteration}
        if iteration >= spec.max_iterations:
            raise StepFailed(
                "MaxIterationsExceeded",
                f"while loop still true after max_iterations={spec.max_iterations}",
                step=path,
            )
        if top_index is not None and ran_here > 0 and (
            interp.upgrade.pending is not None or interp.runtime.continue_as_new_suggested()
        ):
            # The history is getting long, or an accepted upgrade waits for this safe point: carry the state
            # over to a fresh run that resumes right here.
            raise ContinueAsNew(top_index, {path: iteration})
        await interp.run_steps(spec.steps, view, f"{path}[{iteration}]")
        iteration += 1
        ran_here += 1
