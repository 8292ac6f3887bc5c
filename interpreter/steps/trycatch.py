"""``try`` / ``catch`` / ``finally``. A catch clause matches by error type (``errors: [Type, ...]``; no list
matches every step error); the error is visible as ``error`` in its steps. Definition errors (bad
expressions) are never caught."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import TryStep

from ..errors import StepFailed
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(TryStep)
async def run_try(interp: Interpreter, step: TryStep, frame: Frame, path: str) -> Any:
    try:
        result = await interp.run_steps(step.try_, frame, f"{path}/try")
        return {"error": None, "result": result}
    except StepFailed as err:
        for index, clause in enumerate(step.catch or []):
            if clause.errors is None or err.type in clause.errors:
                view = frame.with_locals(error=err.as_dict())
                await interp.run_steps(clause.steps, view, f"{path}/catch#{index}")
                return {"error": err.as_dict(), "result": None}
        raise
    finally:
        if step.finally_:
            await interp.run_steps(step.finally_, frame, f"{path}/finally")
