"""``wait_for``: wait for the first of several declared signals, optionally with a timeout.

Signals are buffered as they arrive, so one sent before the wait starts is not lost; a wait consumes the
earliest buffered signal among those it waits for. The payload is visible as ``signal.payload`` (and the
name as ``signal.name``) in that signal's steps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import WaitForStep

from ..errors import DefinitionFailedAtRun
from . import handles
from .wait import describe_seconds

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
        raise DefinitionFailedAtRun(f"wait_for names undeclared signals: {', '.join(undeclared)}", step=path)
    timeout = interp.duration(spec.timeout, frame, path, "timeout") if spec.timeout is not None else None
    state = interp.state
    runtime = interp.runtime
    summary = f"{path}: wait for {' | '.join(names)}"
    if timeout is not None:
        summary += f" (timeout {describe_seconds(timeout)})"
    deadline = runtime.now() + timedelta(seconds=timeout) if timeout is not None else None
    pending = {
        "kind": "signal",
        "step": path,
        "signals": names,
        "timeout_seconds": timeout,
        "until": deadline.isoformat() if deadline is not None else None,
    }
    with interp.pending_wait(pending):
        taken = state.take_signal(names)
        while taken is None:
            remaining = None if deadline is None else (deadline - runtime.now()).total_seconds()
            if remaining is not None and remaining <= 0:
                break
            arrived = await runtime.wait_condition(
                lambda: any(name in names for name, _ in state.signal_buffer),
                timeout=remaining,
                summary=summary,
            )
            if not arrived:
                break
            # Several waits may watch the same signal; whoever resumes first takes it and the others keep
            # waiting until their own deadline.
            taken = state.take_signal(names)
    if taken is None:
        if spec.on_timeout:
            await interp.run_steps(spec.on_timeout, frame, f"{path}/on_timeout")
        return {"signal": None, "payload": None, "timed_out": True}
    name, payload = taken
    if isinstance(spec.signals, dict) and spec.signals[name]:
        view = frame.with_locals(signal={"name": name, "payload": payload})
        await interp.run_steps(spec.signals[name], view, f"{path}/{name}")
    return {"signal": name, "payload": payload, "timed_out": False}
