"""definitions/expense_report.yaml on the real dev server: amendments through a validated update, a decision
by signal, reminders on a timer, escalation, and the payout of the final amount."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import Client

from tdsl.activities.examples import ledger
from tdsl.server.errors import InvalidPayload
from tests.support import harness

from .helpers import events, unique, wait_for_signal_wait


def report(**changes: Any) -> dict[str, Any]:
    base = {
        "report_id": unique("E"),
        "employee": "Ada",
        "email": "ada@example.com",
        "manager_email": "grace@example.com",
        "amount": 480.0,
        "description": "Conference hotel",
    }
    return {**base, **changes}


def emails(workflow_id: str) -> list[tuple[str, str]]:
    return [(e.args[0], e.args[1]) for e in ledger.entries(workflow_id) if e.activity == "send_email"]


async def test_amended_report_is_paid_out_with_the_new_amount(client: Client, task_queue: str) -> None:
    data = report()
    async with harness(client, task_queue) as h:
        handle = await h.start("expense_report", data)
        await wait_for_signal_wait(handle)
        answer = await h.runs.update(handle.id, "amend", {"amount": 450.0, "note": "one night less"})
        assert answer == {"amount": 450.0, "amendments": 1}
        assert await h.runs.query(handle.id, "amount") == 450.0
        await h.runs.signal(handle.id, "approve", {"by": "grace"})
        result = await h.runs.result(handle.id)
    payout = next(e for e in ledger.entries(handle.id) if e.activity == "execute_approved_action")
    assert payout.args == ({"report_id": data["report_id"], "employee": "Ada", "amount": 450.0},)
    assert result == {"status": "approved", "amount": 450.0, "approved_by": "grace", "payout": payout.result}


async def test_invalid_amendments_are_refused_without_touching_the_run(
    client: Client, task_queue: str
) -> None:
    data = report()
    async with harness(client, task_queue) as h:
        handle = await h.start("expense_report", data)
        await wait_for_signal_wait(handle)
        before = len(await events(handle))
        with pytest.raises(InvalidPayload) as over_limit:
            await h.runs.update(handle.id, "amend", {"amount": 9000})
        assert over_limit.value.message == (
            "update 'amend' rejected: only a report in review can be amended, and to at most 5000"
        )
        with pytest.raises(InvalidPayload) as malformed:
            await h.runs.update(handle.id, "amend", {"amount": "a lot"})
        assert [e["path"] for e in malformed.value.errors] == ["$.amount"]
        assert len(await events(handle)) == before
        assert await h.runs.query(handle.id, "amount") == 480.0
        await h.runs.signal(handle.id, "reject", {"reason": "not a business trip"})
        result = await h.runs.result(handle.id)
    assert result == {"status": "rejected", "amount": 480.0, "reason": "not a business trip"}
    assert emails(handle.id) == [("ada@example.com", f"Expense report {data['report_id']} rejected")]


async def test_rejection_tells_the_employee(client: Client, task_queue: str) -> None:
    data = report()
    async with harness(client, task_queue) as h:
        handle = await h.start("expense_report", data)
        await h.runs.signal(handle.id, "reject", {"reason": "missing receipt"})
        result = await h.runs.result(handle.id)
    assert result == {"status": "rejected", "amount": 480.0, "reason": "missing receipt"}
    mail = next(e for e in ledger.entries(handle.id) if e.activity == "send_email")
    assert mail.args == (
        "ada@example.com",
        f"Expense report {data['report_id']} rejected",
        "Your expense report was rejected: missing receipt",
    )
    assert "execute_approved_action" not in ledger.calls(handle.id)


async def test_manager_is_reminded_three_times_then_finance_is_told(client: Client, task_queue: str) -> None:
    data = report(remind_every="150ms")
    async with harness(client, task_queue) as h:
        handle = await h.start("expense_report", data)
        result = await h.runs.result(handle.id)
    reminder = ("grace@example.com", f"Reminder: expense report {data['report_id']}")
    assert emails(handle.id) == [reminder] * 3 + [
        ("finance@example.com", f"Escalated: expense report {data['report_id']}")
    ]
    assert result == {"status": "escalated", "amount": 480.0, "reason": None}
