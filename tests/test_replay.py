"""Replay every golden history of every release (``tests/golden/<version>/``) against today's interpreter (no
server needed).

A failure means the interpreter now issues different commands for a run recorded earlier: such a change must
be guarded with ``workflow.patched`` so runs in flight keep working. The histories of earlier releases stay
and keep replaying: runs started under them may still be in flight when this release is deployed. See
``tests/golden/scenarios.py`` for how histories are recorded and ``docs/REPLAY.md`` for ``tdsl replay``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.common import RawValue
from temporalio.worker import Replayer

from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.replay import Labelled, load_file, replay_histories
from tests.golden.releases import (
    GOLDEN,
    current_folder,
    current_release,
    golden_histories,
    release_folders,
    version_key,
)
from tests.golden.scenarios import EXAMPLE_DEFINITIONS, SCENARIOS, examples_without_scenario
from tests.replay.tampering import edit_definition, golden, write
from tests.support import DEFINITIONS, example_registry, project_catalog

HISTORIES = golden_histories()
SCENARIO_BY_FILE = {s.file_name: s for s in SCENARIOS}
TDSL = str(Path(sys.executable).parent / "tdsl")


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", HISTORIES, ids=[label(p) for p in HISTORIES])
async def test_golden_history_replays(path: Path) -> None:
    [outcome] = [o async for o in replay_histories([Labelled(str(path), load_file(path))])]
    assert outcome.divergence is None, f"{label(path)} no longer replays: {outcome.divergence.explain()}"


def test_tdsl_replay_replays_the_whole_golden_folder() -> None:
    # The command a team runs before deploying, over every release's histories at once.
    done = subprocess.run(
        [TDSL, "replay", str(GOLDEN), "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["summary"] == {"total": len(HISTORIES), "replayed": len(HISTORIES), "diverged": 0}
    assert sorted(h["source"] for h in report["histories"]) == sorted(str(p) for p in HISTORIES)


def test_the_current_release_has_every_scenario() -> None:
    folder = current_folder()
    recorded = {path.name for path in folder.glob("*.json")} if folder.is_dir() else set()
    missing = [s.name for s in SCENARIOS if s.file_name not in recorded]
    assert not missing, f"record release {current_release()}: python -m tests.golden.record"
    assert recorded <= set(SCENARIO_BY_FILE), "a golden file without a scenario"


def test_release_folders_are_this_release_or_earlier() -> None:
    folders = release_folders()
    assert folders and folders[-1].name == current_release()
    assert all(version_key(f.name) <= version_key(current_release()) for f in folders)
    # Only release folders hold histories: a stray file would never be replayed.
    assert not list(GOLDEN.glob("*.json"))
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} - {f.name for f in folders} <= {"__pycache__"}


def test_every_example_definition_has_a_golden_history() -> None:
    # Runs of every definition the project ships may be in flight when the interpreter changes.
    available = set(project_catalog().names())
    assert set(EXAMPLE_DEFINITIONS) <= available, "an example definition is missing from definitions/"
    assert examples_without_scenario(available) == []


def test_a_users_own_definition_needs_no_golden_history(tmp_path: Path) -> None:
    # The README tour adds greeting.yaml to definitions/: the project's checks are about its own examples.
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, folder)
    (folder / "greeting.yaml").write_text(
        "name: greeting\nversion: 1\nsteps:\n  - id: hello\n    activity: send_reminder\n"
        "    args: ['{{ input.user }}', 'hello']\n",
        encoding="utf-8",
    )
    catalog = Catalog.load(folder, example_registry())
    assert not catalog.invalid and "greeting" in catalog.names()
    assert examples_without_scenario(set(catalog.names())) == []
    # while an example definition that loses its scenarios is still reported
    others = [s for s in SCENARIOS if s.definition != "approval"]
    assert examples_without_scenario(set(catalog.names()), others) == ["approval"]


@pytest.mark.parametrize("path", HISTORIES, ids=[label(p) for p in HISTORIES])
def test_histories_are_complete_runs_of_their_definition(path: Path) -> None:
    scenario = SCENARIO_BY_FILE.get(path.name)
    assert scenario is not None, f"{label(path)}: no scenario of that name"
    events = load_file(path).events
    start = events[0].workflow_execution_started_event_attributes
    assert start.workflow_type.name == scenario.definition
    assert start.workflow_id == scenario.workflow_id
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


async def test_a_tampered_golden_history_fails_naming_its_step(tmp_path: Path) -> None:
    # Negative control: the replay test can fail, and says where. The run's definition is edited so that
    # today's code schedules another activity than the one recorded (tests/replay/ has more such cases).
    tampered = edit_definition(
        golden("booking_saga_success"), '"activity":"charge_payment"', '"activity":"charge_card"'
    )
    path = write(tmp_path, "tampered", tampered)
    [outcome] = [o async for o in replay_histories([Labelled(str(path), load_file(path))])]
    assert outcome.divergence is not None
    assert outcome.divergence.step == "payment"
    assert outcome.divergence.explain().endswith(
        "the history has activity charge_payment (step payment); "
        "the code would schedule activity charge_card (step payment)"
    )


async def test_a_changed_interpreter_command_is_caught() -> None:
    # Proof the replay test can fail: the same history against a workflow issuing other commands.
    history = load_file(current_folder() / "order_processing_success.json")
    replayer = Replayer(workflows=[_SleepsInstead])
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None


@workflow.defn(dynamic=True, sandboxed=False)
class _SleepsInstead:
    """A stand-in interpreter that starts a timer where the real one schedules an activity."""

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> None:
        await workflow.sleep(1)
