"""History events and replay commands reduce to the same actions, named in the DSL's terms."""

from __future__ import annotations

import json

from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.sdk.v1 import UserMetadata
from temporalio.bridge.proto.workflow_commands import WorkflowCommand

from tdsl.server.replay.actions import Action, from_command, from_event


def summary(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


def test_a_patch_marker_and_its_command_are_the_same_action() -> None:
    event = HistoryEvent(event_id=7, event_type=EventType.EVENT_TYPE_MARKER_RECORDED)
    event.marker_recorded_event_attributes.marker_name = "core_patch"
    event.marker_recorded_event_attributes.details["patch_data"].CopyFrom(
        Payloads(payloads=[Payload(data=b'{"id": "foreach-v2", "deprecated": false}')])
    )
    command = WorkflowCommand()
    command.set_patch_marker.patch_id = "foreach-v2"
    recorded, produced = from_event(event), from_command(command)
    assert recorded == Action("patch", "foreach-v2", None, 7)
    assert produced is not None and recorded.same_command(produced)
    assert recorded.describe() == "patch marker foreach-v2"

    other = HistoryEvent(event_id=8, event_type=EventType.EVENT_TYPE_MARKER_RECORDED)
    other.marker_recorded_event_attributes.marker_name = "core_local_activity"
    assert from_event(other) is None


def test_timers_and_children_carry_their_step_path() -> None:
    timer = WorkflowCommand(user_metadata=UserMetadata(summary=summary("billing[1]/period: wait 200ms")))
    timer.start_timer.start_to_fire_timeout.FromMilliseconds(200)
    action = from_command(timer)
    assert action == Action("timer", None, "billing[1]/period", None, "0.2s")
    assert action.verb() == "start timer of 0.2s (step billing[1]/period)"

    child = WorkflowCommand(user_metadata=UserMetadata(summary=summary("renew: run order_processing")))
    child.start_child_workflow_execution.workflow_type = "order_processing"
    child.start_child_workflow_execution.workflow_id = "sub-1/renewal-1"
    initiated = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
    event = HistoryEvent(event_id=12, event_type=initiated)
    event.user_metadata.summary.CopyFrom(summary("renew: run order_processing"))
    event.start_child_workflow_execution_initiated_event_attributes.workflow_type.name = "order_processing"
    event.start_child_workflow_execution_initiated_event_attributes.workflow_id = "sub-2/renewal-1"
    produced, recorded = from_command(child), from_event(event)
    assert produced is not None and recorded is not None
    assert (produced.step, recorded.step) == ("renew", "renew")
    assert not recorded.same_command(produced)  # another workflow id is another child
    assert produced.verb() == "start child workflow order_processing with id sub-1/renewal-1 (step renew)"


def test_closing_commands_read_as_what_happens_to_the_run() -> None:
    command = WorkflowCommand()
    command.complete_workflow_execution.SetInParent()
    action = from_command(command)
    assert action == Action("complete") and action.verb() == "complete the run"
    event = HistoryEvent(event_id=30, event_type=EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
    recorded = from_event(event)
    assert recorded is not None and recorded.describe() == "the run's failure"
    cancel = WorkflowCommand()
    cancel.cancel_timer.seq = 1
    assert from_command(cancel) is None  # cancellations are not compared
