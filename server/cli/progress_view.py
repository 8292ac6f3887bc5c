"""What ``tdsl run`` shows on stderr while it waits for a run: a line whenever the run's state changes (the
steps running, the waits, activities retrying, and why it is stuck when it is)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TextIO

from ..run_types import RunInfo, RunOutcome
from ..runs import RunService

# How often the status is read while waiting (a describe, plus the progress query of DSL runs).
POLL_SECONDS = 1.0


def progress_line(info: RunInfo) -> str:
    """One line about where a running run is: running steps, waits, and stalls (retries, no worker...)."""
    parts: list[str] = []
    progress = info.progress or {}
    current = progress.get("current_steps") or []
    if current:
        parts.append(f"running {', '.join(current)}")
    for wait in progress.get("pending_waits") or []:
        parts.append(f"waiting for {_wait_text(wait)}")
    for stall in info.stalled or []:
        parts.append(str(stall["message"]))
    if not parts:
        done = progress.get("completed_count")
        parts.append(f"{done} step(s) done" if done else str(info.status.value).lower())
    return "; ".join(parts)


def _wait_text(wait: object) -> str:
    """A pending wait of the progress (``{kind: timer|signal, step, until, signals}``) in words."""
    if not isinstance(wait, dict):
        return str(wait)
    step = f" ({wait['step']})" if wait.get("step") else ""
    until = f" until {wait['until']}" if wait.get("until") else ""
    if wait.get("kind") == "timer":
        return f"a timer{until}{step}"
    signals = wait.get("signals") or []
    return f"signal {' | '.join(map(str, signals))}{until}{step}"


async def wait_showing_progress(
    runs: RunService, workflow_id: str, timeout: float | None, out: TextIO | None = None
) -> RunOutcome:
    """The run's outcome (RUNNING when it is not done within ``timeout`` seconds), printing a progress line
    to ``out`` (stderr) whenever it changes. ``out=None`` waits quietly."""
    waiting = asyncio.ensure_future(runs.outcome(workflow_id, timeout=timeout))
    last = None
    try:
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=POLL_SECONDS)
            if done:
                return waiting.result()
            if out is None:
                continue
            try:
                info = await runs.info(workflow_id, progress=True)
            except Exception:  # a status read failing must not end the wait for the result
                continue
            if not info.status.is_open:
                continue
            line = progress_line(info)
            if line != last:
                print(f"[{datetime.now().strftime('%H:%M:%S')}] {line}", file=out, flush=True)
                last = line
    finally:
        if not waiting.done():
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
