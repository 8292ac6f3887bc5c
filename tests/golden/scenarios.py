"""Scenarios whose histories are recorded as golden files and replayed by ``tests/test_replay.py``.

A golden history pins the commands the interpreter issues for a definition: replaying it against today's
interpreter fails if a change would break runs already in flight (such a change must be guarded with
``workflow.patched``, and the old histories kept). Each scenario becomes ``tests/golden/<name>.json``.

Adding a scenario
-----------------
1. Append a :class:`Scenario` to :data:`SCENARIOS`: a unique ``name`` (the file name), the ``definition``
   (a name from ``definitions/``), its ``input``, and the expected ``outcome`` (``"completed"`` or
   ``"failed"``). Keep it quick: pass short durations through the input (``timeout: 2s``), or set
   ``time_skipping=True`` for day-long waits.
2. A run that waits for people gets a ``drive`` coroutine. It receives the run's handle and the
   :class:`~server.runs.RunService` and acts like a user, for example::

       async def approve(handle, runs):
           await wait_until_waiting(handle, "approve")   # helper below: the run waits for this signal
           await runs.signal(handle.id, "approve", {"by": "ada"})

       Scenario("approval_approved", "approval", {"request": {"id": "R-1"}}, drive=approve)

3. Record: ``python -m tests.golden.record NAME`` (no name: every scenario). It starts a fresh dev server,
   runs the scenario, checks the outcome, checks the history replays, and writes the JSON file. Commit it.
   Never re-record an existing file to make the replay test pass: that hides the very break it reports
   (runs in flight would fail the same way). New behaviour gets a new scenario.

Workflow ids are ``golden-<name>`` and worker identities are fixed, so files differ only where behaviour
does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from temporalio.client import WorkflowHandle

from server.runs import RunService

Driver = Callable[[WorkflowHandle[Any, Any], RunService], Awaitable[None]]
"""Acts on a started run (signals, updates) until it can finish on its own."""


@dataclass(frozen=True)
class Scenario:
    """One recorded run of a definition."""

    name: str
    definition: str
    input: Any
    outcome: Literal["completed", "failed"] = "completed"
    drive: Driver | None = None
    time_skipping: bool = False
    description: str = ""

    @property
    def workflow_id(self) -> str:
        return f"golden-{self.name}"

    @property
    def file_name(self) -> str:
        return f"{self.name}.json"


async def wait_until_waiting(
    handle: WorkflowHandle[Any, Any], signal: str | None = None, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll the built-in ``__progress`` query until the run waits (for ``signal`` when given); return the
    progress. Use it in drivers before sending a signal the run should receive while waiting."""
    from interpreter import PROGRESS_QUERY

    async def poll() -> dict[str, Any]:
        while True:
            progress: dict[str, Any] = await handle.query(PROGRESS_QUERY)
            waits = progress.get("pending_waits") or []
            if waits and (signal is None or any(signal in wait.get("signals", ()) for wait in waits)):
                return progress
            await asyncio.sleep(0.05)  # no event tells a client that a run started waiting: poll

    return await asyncio.wait_for(poll(), timeout)


ORDER: dict[str, Any] = {
    "order_id": "G-1001",
    "user_id": "user-42",
    "items": [{"sku": "BOOK-1", "quantity": 2}, {"sku": "PEN-7", "quantity": 1}],
    "total": 59.9,
    "email": "ada@example.com",
}

SCENARIOS: list[Scenario] = [
    Scenario(
        "order_processing_success",
        "order_processing",
        ORDER,
        description="charge, reserve, email; output with the transaction id",
    ),
    Scenario(
        "order_processing_refund",
        "order_processing",
        {**ORDER, "order_id": "G-1002", "items": [{"sku": "OUT-OF-STOCK-1", "quantity": 1}]},
        outcome="failed",
        description="the reservation fails (OutOfStock): the payment is refunded, then the run fails",
    ),
]


def by_name(names: list[str] | None = None) -> list[Scenario]:
    """The scenarios called ``names`` (all when ``None``); unknown names raise ``KeyError``."""
    if not names:
        return list(SCENARIOS)
    known = {scenario.name: scenario for scenario in SCENARIOS}
    missing = [name for name in names if name not in known]
    if missing:
        raise KeyError(f"unknown scenario(s): {', '.join(missing)}; known: {', '.join(sorted(known))}")
    return [known[name] for name in names]
