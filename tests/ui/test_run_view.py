"""The run view's pieces that need no server: calls read from a history (attempts, errors, compensations),
the saga timeline's order, and links to Temporal's Web UI."""

from __future__ import annotations

import json
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent

from tdsl.server.ui.run_view import saga_timeline, step_calls, temporal_ui_link


def event(event_id: int, attribute: str, summary: str | None = None, **fields: Any) -> HistoryEvent:
    item = HistoryEvent(event_id=event_id)
    attrs = getattr(item, attribute)
    attrs.SetInParent()
    for name, value in fields.items():
        if name == "activity":
            attrs.activity_type.name = value
        elif name == "failure":
            attrs.failure.message = value
        else:
            setattr(attrs, name, value)
    if summary is not None:
        item.user_metadata.summary.CopyFrom(Payload(data=json.dumps(summary).encode()))
    return item


SCHEDULED = "activity_task_scheduled_event_attributes"
STARTED = "activity_task_started_event_attributes"


def test_calls_carry_their_step_last_attempt_outcome_and_error() -> None:
    history = [
        event(5, SCHEDULED, "orders[2]/charge", activity="charge_payment", activity_id="5"),
        event(6, STARTED, scheduled_event_id=5, attempt=3),
        event(7, "activity_task_completed_event_attributes", scheduled_event_id=5),
        event(8, SCHEDULED, "ship", activity="ship", activity_id="8"),
        event(9, STARTED, scheduled_event_id=8, attempt=1),
        event(10, "activity_task_failed_event_attributes", scheduled_event_id=8, failure="no stock"),
        event(11, SCHEDULED, "charge.compensate", activity="refund", activity_id="11"),
        event(12, "timer_started_event_attributes", "wait#3: wait 5m", timer_id="12"),
        event(13, SCHEDULED, None, activity="unnamed"),  # not a step's call
    ]
    keys = ("step", "compensation", "what", "outcome", "attempt", "error")
    assert [tuple(call[key] for key in keys) for call in step_calls(history)] == [
        ("orders/charge", False, "activity charge_payment", "completed", 3, None),
        ("ship", False, "activity ship", "failed", 1, "no stock"),
        ("charge", True, "activity refund", "scheduled", 1, None),
        ("wait#3", False, "timer", "waiting", 1, None),
    ]


def test_saga_timeline_keeps_the_order_the_compensations_ran_in() -> None:
    records = [
        {"step": "flight", "activity": "cancel_flight", "status": "completed"},
        {"step": "hotel", "activity": "cancel_hotel", "status": "failed", "error": {"message": "refused"}},
    ]
    calls = [
        {"step": "hotel", "compensation": True, "what": "activity cancel_hotel", "outcome": "failed",
         "attempt": 5, "error": "refused", "started": "t3", "closed": "t4"},
        {"step": "flight", "compensation": True, "what": "activity cancel_flight", "outcome": "completed",
         "attempt": 1, "error": None, "started": "t1", "closed": "t2"},
        {"step": "car", "compensation": True, "what": "activity cancel_car", "outcome": "running",
         "attempt": 2, "error": "busy", "started": "t5", "closed": None},
    ]
    timeline = saga_timeline(records, calls)
    assert [(c["order"], c["step"], c["status"], c["attempt"], c["error"]) for c in timeline] == [
        (1, "flight", "completed", 1, None),
        (2, "hotel", "failed", 5, "refused"),
        (3, "car", "running", 2, "busy"),  # still running: no record yet
    ]


def test_links_to_temporal_web_ui_quote_ids() -> None:
    assert (
        temporal_ui_link("http://localhost:8233/", "default", "batch/1 a", "r-1")
        == "http://localhost:8233/namespaces/default/workflows/batch%2F1%20a/r-1/history"
    )
    assert temporal_ui_link("https://ui", "ns", "w") == "https://ui/namespaces/ns/workflows/w"
