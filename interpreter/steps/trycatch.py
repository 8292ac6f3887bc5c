"""``try`` / ``catch`` / ``finally``. A catch clause matches by error type (``errors: [Type, ...]``; no list
matches every step error) and by its ``when`` expression over the error; the error is visible as ``error`` in
its ``when`` and steps, and a ``raise`` step among them fails again with it. Definition errors (bad
expressions) are never caught."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import CatchClause, TryStep

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
        caught = {**err.as_dict(), "attempts": err.attempts}  # null when nobody counted them
        for index, clause in enumerate(step.catch or []):
            where = f"{path}/catch#{index}"
            view = frame.with_locals(error=caught)
            if matches(interp, clause, err, view, where):
                await interp.run_steps(clause.steps, view, where)
                return {"error": err.as_dict(), "result": None}
        raise
    finally:
        if step.finally_:
            await interp.run_steps(step.finally_, frame, f"{path}/finally")


def matches(interp: Interpreter, clause: CatchClause, err: StepFailed, view: Frame, where: str) -> bool:
    """Whether ``clause`` catches ``err``: its type is listed (or no list), and ``when`` (if any) holds."""
    if clause.errors is not None and err.type not in clause.errors:
        return False
    return clause.when is None or interp.truthy(clause.when, view, where)
