"""Test activities that report what really happened: how many ran at once, and which were cancelled.

``REGISTRY`` holds the example activities plus these probes; pass it to ``harness(..., registry=REGISTRY)``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from tdsl.activities import ActivityRegistry
from tdsl.activities.examples import ledger
from tests.support import example_registry

REGISTRY = ActivityRegistry()
REGISTRY.update(example_registry())


@dataclass
class Concurrency:
    """How many probe activities of one run were inside their body at the same time."""

    running: int = 0
    peak: int = 0
    spans: list[tuple[float, float]] = field(default_factory=list)


_concurrency: dict[str, Concurrency] = {}
_cancelled: dict[tuple[str, str], asyncio.Event] = {}


def concurrency(workflow_id: str) -> Concurrency:
    """The concurrency record of a run (of its batch children too: they share the parent's id prefix)."""
    return _concurrency.setdefault(workflow_id, Concurrency())


def cancelled_event(workflow_id: str, label: str) -> asyncio.Event:
    """Set when the probe ``label`` of run ``workflow_id`` (or of its children) is cancelled."""
    return _cancelled.setdefault((workflow_id, label), asyncio.Event())


def _root_id(workflow_id: str) -> str:
    return workflow_id.split("/", 1)[0]


@REGISTRY.register
async def probe(label: str, seconds: float = 0.0, fail: str | None = None) -> dict[str, Any]:
    """Take ``seconds`` (heartbeating when the step sets a heartbeat timeout), then return
    ``{"label": label}`` or raise ``fail`` (not retryable). Records in the ledger as ``probe`` with outcome
    ``ok``, ``failed`` or ``cancelled``."""
    info = activity.info()
    record = concurrency(_root_id(info.workflow_id or ""))
    record.running += 1
    record.peak = max(record.peak, record.running)
    began = time.monotonic()
    try:
        remaining = seconds
        while remaining > 0:
            await asyncio.sleep(min(remaining, 0.1))
            remaining -= 0.1
            if info.heartbeat_timeout:  # only where cancellation must reach it: heartbeats cost a call each
                activity.heartbeat()
        if fail:
            ledger.record("probe", (label,), "failed")
            raise ApplicationError(f"probe {label} failed", type=fail, non_retryable=True)
    except asyncio.CancelledError:
        ledger.record("probe", (label,), "cancelled")
        cancelled_event(_root_id(info.workflow_id or ""), label).set()
        raise
    finally:
        record.running -= 1
        record.spans.append((began, time.monotonic()))
    ledger.record("probe", (label,), "ok", label)
    return {"label": label}


def outcomes(workflow_id: str) -> dict[str, str]:
    """Probe label -> last outcome, for one run."""
    return {e.args[0]: e.outcome for e in ledger.entries(workflow_id) if e.activity == "probe"}
