"""``wait``: a durable timer for a duration or until a timestamp (a past timestamp continues at once).

The step's result is ``{"waited_seconds": s}``. The timer's summary (shown in the Web UI) is the step path and
the wait in words, e.g. ``reminder: wait 3d`` or ``reminder: wait until 2030-01-01T09:00:00+00:00``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import WaitFor, WaitStep, WaitUntil

from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

_UNITS = (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0))


def describe_seconds(seconds: float) -> str:
    """A duration as people write it: ``3d``, ``1h30m``, ``45s``, ``250ms``."""
    if seconds < 1:
        return f"{round(seconds * 1000):d}ms"
    parts = []
    rest = seconds
    for unit, size in _UNITS:
        count = int(rest // size)
        if count and (unit != "s" or rest - count * size < 0.001):
            parts.append(f"{count}{unit}")
            rest -= count * size
        elif unit == "s" and rest > 0.0005:
            parts.append(f"{rest:g}s")
            rest = 0
    return "".join(parts) or "0s"


@handles(WaitStep)
async def run_wait(interp: Interpreter, step: WaitStep, frame: Frame, path: str) -> Any:
    spec = step.wait
    if isinstance(spec, WaitUntil):
        moment = interp.timestamp(spec.until, frame, path)
        seconds = max(0.0, (moment - interp.runtime.now()).total_seconds())
        summary = f"{path}: wait until {moment.isoformat()}"
    else:
        value = spec.for_ if isinstance(spec, WaitFor) else spec
        seconds = interp.duration(value, frame, path, "wait")
        summary = f"{path}: wait {describe_seconds(seconds)}"
    if seconds > 0:
        pending = {
            "kind": "timer",
            "step": path,
            "seconds": seconds,
            "until": (interp.runtime.now() + timedelta(seconds=seconds)).isoformat(),
        }
        with interp.pending_wait(pending):
            await interp.runtime.sleep(seconds, summary)
    return {"waited_seconds": seconds}
