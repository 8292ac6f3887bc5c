"""``activity``: call a registered activity; record its compensation once it succeeded.

A step with a compensation that is cancelled while its activity runs waits to learn whether the activity
stopped or finished anyway; a finished one is recorded for compensation, so cancelling never leaves a done
step un-undone. (An activity that does not heartbeat only learns of the cancellation when it ends.)"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import ActivityStep, Compensation

from ..errors import CompletedWhileCancelled, DefinitionFailedAtRun
from ..kwargs import pack_arguments
from ..options import resolve_call
from ..retry import retrying
from ..runtime import ActivityCall
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


def build_call(
    interp: Interpreter, spec: ActivityStep | Compensation, frame: Frame, path: str, **extra: Any
) -> ActivityCall:
    """Render arguments and resolve options of an activity step or compensation."""
    args = interp.render(spec.args or [], frame, path, **extra)
    kwargs = interp.render(spec.kwargs, frame, path, **extra) if spec.kwargs else None
    summary = getattr(spec, "summary", None)

    def text(value: str, what: str) -> str:
        rendered = interp.render(value, frame, path, **extra)
        if not isinstance(rendered, str) or not rendered:
            message = f"{what} must be a non-empty text, not {rendered!r}"
            raise DefinitionFailedAtRun(message, step=path, expression=value)
        return rendered

    call = resolve_call(
        spec.activity,
        pack_arguments(args, kwargs),
        spec,
        interp.definition.defaults,
        lambda value, what: interp.duration(value, frame, path, what),
        summary=interp.render(summary, frame, path) if summary else path,
        text=text,
    )
    info = interp.runtime.info()
    return replace(call, key=f"{info['id']}/{info['first_run_id']}/{path}")


@handles(ActivityStep)
async def run_activity(interp: Interpreter, step: ActivityStep, frame: Frame, path: str) -> Any:
    call = build_call(interp, step, frame, path)
    if call.retry.jitter > 0:
        # Temporal's retry policy has no jitter: the workflow retries, one scheduled attempt at a time.
        once = replace(call, retry=replace(call.retry, maximum_attempts=1))
        return await retrying(
            interp, call.retry, path, lambda attempt: call_once(interp, step, once, frame, path)
        )
    return await call_once(interp, step, call, frame, path)


async def call_once(
    interp: Interpreter, step: ActivityStep, call: ActivityCall, frame: Frame, path: str
) -> Any:
    """Schedule the activity (with its own retry policy) and record its compensation once it succeeded."""
    if step.compensate is None:
        return await interp.runtime.execute_activity(call)
    try:
        result = await interp.runtime.execute_activity(replace(call, wait_for_cancellation=True))
    except CompletedWhileCancelled as done:
        record_compensation(interp, step.compensate, step.id, done.result, frame, path)
        raise asyncio.CancelledError from None
    record_compensation(interp, step.compensate, step.id, result, frame, path)
    return result


def record_compensation(
    interp: Interpreter, spec: Compensation, step_id: str | None, result: Any, frame: Frame, path: str
) -> None:
    """Push the compensation, rendered now with the step's own result visible as ``steps.<id>`` and
    ``result``."""
    view = frame.with_locals(result=result)
    if step_id is not None:
        view.steps = {**frame.steps, step_id: result}
    interp.saga.push(path, build_call(interp, spec, view, f"{path}.compensate"))
