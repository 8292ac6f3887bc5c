"""Replay every golden history in ``tests/golden/`` against today's interpreter (no server needed).

A failure means the interpreter now issues different commands for a run recorded earlier: such a change must
be guarded with ``workflow.patched`` so runs in flight keep working. See ``tests/golden/scenarios.py`` for
how histories are recorded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.common import RawValue
from temporalio.worker import Replayer

from tdsl.interpreter import DSLWorkflow, workflow_runner
from tests.golden.scenarios import SCENARIOS, Scenario
from tests.support import project_catalog

GOLDEN = Path(__file__).resolve().parent / "golden"
HISTORIES = sorted(GOLDEN.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"golden-{path.stem}", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_golden_history_replays(path: Path) -> None:
    history = load(path)
    replayer = Replayer(workflows=[DSLWorkflow], workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name} no longer replays: {result.replay_failure}"


def test_every_scenario_has_its_recorded_history() -> None:
    recorded = {path.name for path in HISTORIES}
    assert {"order_processing_success.json", "order_processing_refund.json"} <= recorded
    missing = [s.name for s in SCENARIOS if s.file_name not in recorded]
    assert not missing, f"record them: python -m tests.golden.record {' '.join(missing)}"
    assert recorded == {s.file_name for s in SCENARIOS}, "a golden file without a scenario"


def test_every_definition_has_a_golden_history() -> None:
    # Runs of every project definition may be in flight when the interpreter changes.
    defined = set(project_catalog().names())
    covered = {s.definition for s in SCENARIOS if s.source is None}
    assert defined <= covered, f"definitions without a golden scenario: {sorted(defined - covered)}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_histories_are_complete_runs_of_their_definition(scenario: Scenario) -> None:
    path = GOLDEN / scenario.file_name
    events = load(path).events
    start = events[0].workflow_execution_started_event_attributes
    assert start.workflow_type.name == scenario.definition
    closing = {
        "completed": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        "failed": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        "cancelled": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
        "continued_as_new": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    }[scenario.outcome]
    assert events[-1].event_type == closing
    # the file is the stable form the recorder writes (sorted keys, two-space indent)
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


async def test_a_changed_interpreter_command_is_caught() -> None:
    # Proof the replay test can fail: the same history against a workflow issuing other commands.
    history = load(GOLDEN / "order_processing_success.json")
    replayer = Replayer(workflows=[_SleepsInstead])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None


@workflow.defn(dynamic=True, sandboxed=False)
class _SleepsInstead:
    """A stand-in interpreter that starts a timer where the real one schedules an activity."""

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> None:
        await workflow.sleep(1)
