"""definitions/approval.yaml on the real dev server: approve, reject with a reason, time out, queries, and
the signal contract (early signals kept, bad payloads refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import Client

from tdsl.activities.examples import ledger
from tdsl.server.errors import InvalidPayload, UnknownHandler
from tests.support import harness, time_skipping_runs

from .helpers import event_types, events, timer_seconds, unique, wait_for_signal_wait


def request(**changes: Any) -> dict[str, Any]:
    return {"id": unique("req"), "title": "New laptop", "amount": 1800, **changes}


async def test_approved_request_runs_the_action(client: Client, task_queue: str) -> None:
    req = request()
    async with harness(client, task_queue) as h:
        handle = await h.start("approval", {"request": req, "timeout": "1h"})
        wait = await wait_for_signal_wait(handle)
        assert wait["signals"] == ["approve", "reject"] and wait["timeout_seconds"] == 3600
        assert await h.runs.query(handle.id, "is_approved") is False
        assert await h.runs.query(handle.id, "status") == "pending"
        await h.runs.signal(handle.id, "approve")
        result = await h.runs.result(handle.id)
        # Queries still answer once the run has closed.
        assert await h.runs.query(handle.id, "is_approved") is True
        assert await h.runs.query(handle.id, "rejection_reason") is None
    assert result == {
        "status": "approved",
        "result": {"action_id": result["result"]["action_id"], "status": "executed"},
    }
    assert ledger.calls(handle.id) == ["send_approval_request", "execute_approved_action"]
    assert [e.args for e in ledger.entries(handle.id)] == [(req,), (req,)]


async def test_rejected_request_returns_the_reason(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("approval", {"request": request(), "timeout": "1h"})
        await wait_for_signal_wait(handle)
        await h.runs.signal(handle.id, "reject", "over budget")
        result = await h.runs.result(handle.id)
        answers = [
            await h.runs.query(handle.id, q)
            for q in ("is_approved", "rejection_reason", "get_rejection_reason", "status")
        ]
    assert result == {"status": "rejected", "reason": "over budget"}
    assert answers == [False, "over budget", "over budget", "rejected"]
    assert ledger.calls(handle.id) == ["send_approval_request"]


async def test_reason_may_come_as_an_object(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("approval", {"request": request(), "timeout": "1h"})
        await h.runs.signal(handle.id, "reject", {"reason": "duplicate request"})
        assert await h.runs.result(handle.id) == {"status": "rejected", "reason": "duplicate request"}


async def test_no_decision_in_time_is_a_timeout(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("approval", {"request": request(), "timeout": "1s"})
        result = await h.runs.result(handle.id)
        assert await h.runs.query(handle.id, "status") == "timeout"
    assert result == {"status": "timeout", "approved": False}
    assert ledger.calls(handle.id) == ["send_approval_request"]


async def test_without_a_decision_it_times_out_after_24_hours(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        runs = time_skipping_runs(h)  # the day passes on the run's virtual clock
        started = await runs.start("approval", {"request": request()}, workflow_id=unique("approval"))
        result = await runs.result(started.workflow_id, timeout=30)
        history = await events(runs.handle(started.workflow_id))
    assert result == {"status": "timeout", "approved": False}
    assert timer_seconds(history) == [24 * 3600]
    assert history[-1].event_time.ToDatetime() - history[0].event_time.ToDatetime() >= timedelta(hours=24)
    assert ledger.calls(started.workflow_id) == ["send_approval_request"]


async def test_a_decision_sent_before_the_wait_is_not_lost(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        # The start delay holds the run back, so the approval arrives before the run has done anything.
        handle = await h.start("approval", {"request": request(), "timeout": "1h"}, start_delay=0.5)
        await h.runs.signal(handle.id, "approve", {"by": "grace"})
        result = await h.runs.result(handle.id)
        history = await events(handle)
    assert result["status"] == "approved"
    kinds = event_types(history)
    assert kinds.index("WORKFLOW_EXECUTION_SIGNALED") < kinds.index("WORKFLOW_TASK_STARTED")
    assert ledger.calls(handle.id) == ["send_approval_request", "execute_approved_action"]


async def test_bad_signals_are_refused_before_they_are_sent(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        handle = await h.start("approval", {"request": request(), "timeout": "1h"})
        with pytest.raises(InvalidPayload) as invalid:
            await h.runs.signal(handle.id, "reject", 42)
        assert "payload of signal 'reject' does not match its schema" in str(invalid.value)
        with pytest.raises(UnknownHandler) as unknown:
            await h.runs.signal(handle.id, "aprove")
        assert str(unknown.value) == "'approval' declares no signal 'aprove' (did you mean 'approve'?)"
        # A bad payload that reaches the run anyway (sent past the checks) is recorded and ignored.
        await handle.signal("reject", 42)
        await h.runs.signal(handle.id, "approve")
        assert (await h.runs.result(handle.id))["status"] == "approved"
        ignored = (await handle.query("__progress"))["ignored_signals"]
    assert [(i["signal"], i["reason"]) for i in ignored] == [("reject", "payload failed its schema")]
