"""What a workflow asks Temporal to do, in the DSL's terms, seen from both sides of a replay.

A recorded history holds one event per command a run issued (an activity scheduled, a timer started, a child
started, the run completed...); a replay produces the commands today's interpreter issues for the same run.
Both are reduced here to an :class:`Action`: its kind, its name (activity or child workflow type, patch id)
and the step path the interpreter attaches to activities, timers and children as their summary
(``interpreter/temporal_runtime.py``). Replay compares the two sequences in order, as Temporal does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.bridge.proto.workflow_commands import WorkflowCommand

__all__ = ["Action", "from_command", "from_event"]

_NOUNS = {
    "complete": "the run's completion",
    "fail": "the run's failure",
    "cancel": "the run's cancellation",
    "continue_as_new": "a continue-as-new",
    "signal_external": "a signal to another workflow",
    "cancel_external": "a cancellation request to another workflow",
}
_VERBS = {
    "complete": "complete the run",
    "fail": "fail the run",
    "cancel": "end the run as cancelled",
    "continue_as_new": "continue as new",
    "signal_external": "signal another workflow",
    "cancel_external": "request cancellation of another workflow",
}


@dataclass(frozen=True)
class Action:
    """One command of a run: from a history event (``event_id`` set) or from a replay."""

    kind: str
    name: str | None = None
    step: str | None = None
    """The step path (``steps[2]``, ``order.steps[0].parallel.a[1]``...), when the command carries one."""
    event_id: int | None = None
    detail: str | None = None
    """A timer's duration, for the explanation."""
    target: str | None = None
    """A child's workflow id (derived from the parent's: Temporal checks it too)."""

    def same_command(self, other: Action) -> bool:
        """What Temporal checks when it matches a command with its event: the kind, the type name and a
        child's workflow id."""
        return (self.kind, self.name, self.target) == (other.kind, other.name, other.target)

    def describe(self) -> str:
        """``activity charge_payment (step payment)``: the action as a noun, as the history has it."""
        noun = {
            "activity": f"activity {self.name}",
            "child": f"child workflow {self.name} with id {self.target}",
            "timer": "timer" + (f" of {self.detail}" if self.detail else ""),
            "patch": f"patch marker {self.name}",
        }.get(self.kind, _NOUNS.get(self.kind, self.kind))
        return noun + (f" (step {self.step})" if self.step else "")

    def verb(self) -> str:
        """``schedule activity charge_payment (step payment)``: the action as what the code would do."""
        verb = {"activity": "schedule", "child": "start", "timer": "start", "patch": "record"}.get(self.kind)
        return f"{verb} {self.describe()}" if verb else _VERBS.get(self.kind, self.kind)

    def as_dict(self) -> dict[str, object]:
        """The action for JSON reports (``target``: a child's workflow id; ``detail``: a timer's duration)."""
        return {"kind": self.kind, "name": self.name, "step": self.step, "event_id": self.event_id,
                "target": self.target, "detail": self.detail}


def _summary(payload: Payload) -> str | None:
    """The step path in a command's summary."""
    if not payload.data:
        return None
    try:
        value = json.loads(payload.data)
    except ValueError:
        return payload.data.decode("utf-8", "replace")
    text = value if isinstance(value, str) else json.dumps(value)
    # Timers, signal waits, children and batches carry "<step path>: <what>"; activities the bare path.
    return text.split(": ", 1)[0]


def _seconds(value: object) -> str | None:
    seconds = getattr(value, "seconds", 0) + getattr(value, "nanos", 0) / 1e9
    return f"{seconds:g}s" if seconds else None


def from_event(event: HistoryEvent) -> Action | None:
    """The command a history event records, or ``None`` for events no command produced."""
    step = _summary(event.user_metadata.summary) if event.HasField("user_metadata") else None
    kind = event.event_type
    eid = event.event_id
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        name = event.activity_task_scheduled_event_attributes.activity_type.name
        return Action("activity", name, step, eid)
    if kind == EventType.EVENT_TYPE_TIMER_STARTED:
        duration = _seconds(event.timer_started_event_attributes.start_to_fire_timeout)
        return Action("timer", None, step, eid, duration)
    if kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        child = event.start_child_workflow_execution_initiated_event_attributes
        return Action("child", child.workflow_type.name, step, eid, target=child.workflow_id)
    if kind == EventType.EVENT_TYPE_MARKER_RECORDED:
        if event.marker_recorded_event_attributes.marker_name != "core_patch":
            return None  # local activity and other markers: no command of ours to compare
        details = event.marker_recorded_event_attributes.details
        patch = details["patch_data"].payloads[0].data if "patch_data" in details else b""
        try:
            marker = json.loads(patch) if patch else None
        except ValueError:
            marker = None
        patch_id = marker.get("id") if isinstance(marker, dict) else None
        return Action("patch", patch_id, None, eid)
    simple = {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "complete",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "fail",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "cancel",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continue_as_new",
        EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: "signal_external",
        EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: "cancel_external",
    }
    if kind in simple:
        return Action(simple[kind], None, step, eid)
    return None


def from_command(command: WorkflowCommand) -> Action | None:
    """The action a command of a replay asks for, or ``None`` for commands compared elsewhere or not at all
    (cancellations, query answers, search attributes, update responses)."""
    step = _summary(command.user_metadata.summary) if command.HasField("user_metadata") else None
    variant = command.WhichOneof("variant")
    if variant == "schedule_activity":
        return Action("activity", command.schedule_activity.activity_type, step)
    if variant == "start_timer":
        return Action("timer", None, step, None, _seconds(command.start_timer.start_to_fire_timeout))
    if variant == "start_child_workflow_execution":
        child = command.start_child_workflow_execution
        return Action("child", child.workflow_type, step, target=child.workflow_id)
    if variant == "set_patch_marker":
        return Action("patch", command.set_patch_marker.patch_id)
    simple = {
        "complete_workflow_execution": "complete",
        "fail_workflow_execution": "fail",
        "cancel_workflow_execution": "cancel",
        "continue_as_new_workflow_execution": "continue_as_new",
        "signal_external_workflow_execution": "signal_external",
        "request_cancel_external_workflow_execution": "cancel_external",
    }
    if variant in simple:
        return Action(simple[variant], None, step)
    return None
