"""The built-in ``__progress`` query: definition name and version, current step paths, completed steps and
pending waits, while the run waits and after it closed."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tdsl.interpreter import PROGRESS_QUERY
from tests.interpreter.histories import wait_for_event
from tests.support import harness

TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED

STAGED = """
name: staged
version: "2024-06"
signals:
  go: {}
steps:
  - id: greet
    activity: send_email
    args: [ada@example.com, Hello, Welcome]
  - id: tally
    set: {n: 1}
  - id: guard
    try:
      - id: gate
        wait_for: {signals: [go], timeout: 1h}
      - wait: 10ms
    finally:
      - set: {closed: true}
output: done
"""


async def test_progress_while_waiting_and_after_completion(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        name = h.add(STAGED)
        handle = await h.start(name)
        await wait_for_event(handle, TIMER_STARTED)
        waiting = await handle.query(PROGRESS_QUERY)
        metadata = await handle.query("__temporal_workflow_metadata")  # what the Web UI shows
        await h.runs.signal(handle.id, "go")
        assert await handle.result() == "done"
        closed = await h.runs.progress(handle.id)
    assert waiting["definition"] == "staged"
    assert waiting["version"] == "2024-06"
    assert waiting["status"] == "running"
    assert waiting["current_steps"] == ["guard", "guard/try/gate"]
    assert waiting["completed_steps"] == ["greet", "tally"]
    assert waiting["completed_count"] == 2
    [pending] = waiting["pending_waits"]
    assert pending["kind"] == "signal" and pending["step"] == "guard/try/gate"
    assert pending["signals"] == ["go"] and pending["timeout_seconds"] == 3600.0
    assert metadata.current_details == (
        "Status: running\n"
        "Running: guard, guard/try/gate\n"
        f"Waiting for signal go until {pending['until']} (guard/try/gate)\n"
        "Completed steps: 2, last: tally"
    )
    assert closed is not None
    assert closed["status"] == "completed"
    assert closed["current_steps"] == [] and closed["pending_waits"] == []
    assert closed["completed_steps"] == [
        "greet",
        "tally",
        "guard/try/gate",
        "guard/try/wait#1",
        "guard/finally/set#0",
        "guard",
    ]
    assert closed["completed_count"] == 6
