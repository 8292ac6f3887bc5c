"""``wait_for``: wait for the first of several declared signals, optionally with a timeout.

Signals are buffered as they arrive, so one sent before the wait starts is not lost; a wait consumes the
earliest buffered signal among those it waits for. The payload is visible as ``signal.payload`` (and the
name as ``signal.name``) in that signal's steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsl_schema.models import WaitForStep

from ..errors import DefinitionError
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(WaitForStep)
async def run_wait_for(interp: Interpreter, step: WaitForStep, frame: Frame, path: str) -> Any:
    spec = step.wait_for
    names = list(spec.signals)
    declared = interp.definition.signals or {}
    undeclared = [name for name in names if name not in declared]
    if undeclared:
        raise DefinitionError(f"wait_for names undeclared signals: {', '.join(undeclared)}", step=path)
    timeout = interp.duration(spec.timeout, frame, path, "timeout") if spec.timeout is not None else None
    state = interp.state
    pending = {"kind": "signal", "step": path, "signals": names, "timeout_seconds": timeout}
    state.progress.pending_waits.append(pending)
    try:
        arrived = await interp.runtime.wait_condition(
            lambda: any(name in names for name, _ in state.signal_buffer),
            timeout=timeout,
            summary=f"{path}: wait for {' | '.join(names)}",
        )
        taken = state.take_signal(names) if arrived else None
        while arrived and taken is None:  # a concurrent wait took it first: keep waiting
            arrived = await interp.runtime.wait_condition(
                lambda: any(name in names for name, _ in state.signal_buffer), timeout=None
            )
            taken = state.take_signal(names)
    finally:
        state.progress.pending_waits.remove(pending)
    if taken is None:
        if spec.on_timeout:
            await interp.run_steps(spec.on_timeout, frame, f"{path}/on_timeout")
        return {"signal": None, "payload": None, "timed_out": True}
    name, payload = taken
    if isinstance(spec.signals, dict) and spec.signals[name]:
        view = frame.with_locals(signal={"name": name, "payload": payload})
        await interp.run_steps(spec.signals[name], view, f"{path}/{name}")
    return {"signal": name, "payload": payload, "timed_out": False}
