"""``wait``: a durable timer for a duration or until a timestamp (a past timestamp continues at once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsl_schema.models import WaitFor, WaitStep, WaitUntil

from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(WaitStep)
async def run_wait(interp: Interpreter, step: WaitStep, frame: Frame, path: str) -> Any:
    spec = step.wait
    if isinstance(spec, WaitUntil):
        seconds = interp.seconds_until(spec.until, frame, path)
        summary = f"{path}: until {interp.render(spec.until, frame, path)}"
    else:
        value = spec.for_ if isinstance(spec, WaitFor) else spec
        seconds = interp.duration(value, frame, path, "wait")
        summary = f"{path}: {seconds:g}s"
    waited = {"kind": "timer", "step": path, "seconds": seconds,
              "until": _iso_after(interp, seconds)}
    if seconds > 0:
        interp.state.progress.pending_waits.append(waited)
        try:
            await interp.runtime.sleep(seconds, summary)
        finally:
            interp.state.progress.pending_waits.remove(waited)
    return {"waited_seconds": seconds}


def _iso_after(interp: Interpreter, seconds: float) -> str:
    from datetime import timedelta

    return (interp.runtime.now() + timedelta(seconds=seconds)).isoformat()
