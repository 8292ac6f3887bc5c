"""``return`` (end the run with an output), ``fail`` (end it with a typed error) and ``raise`` (fail again
with the error a ``catch`` clause caught)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from tdsl.dsl_schema.expressions import is_template
from tdsl.dsl_schema.models import FailStep, RaiseStep, ReturnStep

from ..errors import DefinitionFailedAtRun, RunEnded, StepFailed
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

FAIL_TYPE_PATCH = "fail-type-rendered"
"""A ``fail`` type holding an expression was taken as written by runs that started before it was rendered."""


@handles(ReturnStep)
async def run_return(interp: Interpreter, step: ReturnStep, frame: Frame, path: str) -> NoReturn:
    raise RunEnded(interp.render(step.return_, frame, path))


@handles(FailStep)
async def run_fail(interp: Interpreter, step: FailStep, frame: Frame, path: str) -> NoReturn:
    spec = step.fail
    if isinstance(spec, str):
        raise StepFailed("WorkflowFailed", str(interp.render(spec, frame, path)), step=path)
    raise StepFailed(
        fail_type(interp, spec.type, frame, path),
        str(interp.render(spec.message, frame, path)),
        step=path,
        details=interp.render(spec.details, frame, path),
    )


def fail_type(interp: Interpreter, value: str, frame: Frame, path: str) -> str:
    """The rendered ``type`` of a ``fail`` step: a non-empty text."""
    if not is_template(value) or not interp.runtime.patched(FAIL_TYPE_PATCH):
        return value
    rendered = interp.render(value, frame, path)
    if not isinstance(rendered, str) or not rendered:
        raise DefinitionFailedAtRun(f"fail type must give a non-empty text, not {rendered!r}", step=path,
                                    expression=value)
    return rendered


@handles(RaiseStep)
async def run_raise(interp: Interpreter, step: RaiseStep, frame: Frame, path: str) -> NoReturn:
    raise rethrown(frame.visible_locals().get("error"), path)


def rethrown(error: Any, path: str) -> StepFailed:
    """The error a ``catch`` clause caught (its ``error`` record), to raise again as it was: type, message,
    details and the step where it happened."""
    if not isinstance(error, dict) or not isinstance(error.get("type"), str):
        raise DefinitionFailedAtRun("raise is only possible in a catch clause", step=path)
    return StepFailed(error["type"], str(error.get("message", "")), step=error.get("step") or path,
                      details=error.get("details"), attempts=error.get("attempts"))
