"""``return`` (end the run with an output) and ``fail`` (end it with a typed error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from tdsl.dsl_schema.models import FailStep, ReturnStep

from ..errors import RunEnded, StepFailed
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(ReturnStep)
async def run_return(interp: Interpreter, step: ReturnStep, frame: Frame, path: str) -> NoReturn:
    raise RunEnded(interp.render(step.return_, frame, path))


@handles(FailStep)
async def run_fail(interp: Interpreter, step: FailStep, frame: Frame, path: str) -> NoReturn:
    spec = step.fail
    if isinstance(spec, str):
        raise StepFailed("WorkflowFailed", str(interp.render(spec, frame, path)), step=path)
    raise StepFailed(
        spec.type,
        str(interp.render(spec.message, frame, path)),
        step=path,
        details=interp.render(spec.details, frame, path),
    )
