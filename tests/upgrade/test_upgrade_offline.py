"""The upgrade check without a server: the static check on the project's definitions, the move at a safe
point on the offline runner, and a property: for random edits and random run positions, the check refuses
every edit to a step the run has run or is running, and every offer it accepts makes the run execute exactly
what the new definition executes (the offline counterpart of "its history replays")."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tdsl.dsl_schema.models import Definition
from tdsl.interpreter import run_offline_sync
from tdsl.interpreter.upgrade import UPGRADE_UPDATE, Offer, definition_digest
from tdsl.server.replay import load_file
from tdsl.server.upgrade import Position, check_upgrade
from tdsl.server.upgrade.proof import ProofCase, proof_definition, prove
from tests.support import project_catalog

STEP_SECONDS = 10.0


async def work(label: str, version: str) -> str:
    await asyncio.sleep(STEP_SECONDS)  # virtual time: top-level step i runs from 10*i to 10*(i+1)
    return f"{label}-{version}"


def steps_of(count: int) -> list[dict[str, Any]]:
    return [{"id": f"s{i}", "activity": "work", "args": [f"s{i}", "v1"]} for i in range(count)]


def definition(steps: list[dict[str, Any]], version: int = 1) -> dict[str, Any]:
    return {"name": "chain", "version": version, "steps": steps,
            "output": "{{ steps | dictsort | map('last') | list }}"}


def offer(old: dict[str, Any], new: dict[str, Any], step_index: int) -> dict[str, Any]:
    return Offer(
        definition=new, expect_step_index=step_index, expect_digest=definition_digest(old),
        version=new["version"], from_version=old["version"], memo={"version": new["version"]},
    ).to_data()


def calls(result: Any) -> list[tuple[str, ...]]:
    return [(call.name, *call.args) for call in result.calls]


def test_an_edit_to_the_step_a_run_waits_in_is_refused_with_the_file_and_line() -> None:
    entry = project_catalog().get("approval")
    assert entry is not None
    edited = copy.deepcopy(entry.data)
    edited["steps"][1]["wait_for"]["timeout"] = "48h"
    line = entry.source["lines"]["decision"] if entry.source else None
    verdict = check_upgrade(
        entry.definition, entry.source, Definition.model_validate(edited), entry.source, Position(1), {
            "request": {"id": "R1"}
        },
    )
    assert not verdict.compatible
    assert verdict.reason == f"step 'decision' changed (approval.yaml:{line}) and has already started"
    edited = copy.deepcopy(entry.data)
    edited["steps"][2]["timeout"] = "10m"  # the action after the decision: the run moves before it
    verdict = check_upgrade(
        entry.definition, entry.source, Definition.model_validate(edited), entry.source, Position(1),
        {"request": {"id": "R1"}},
    )
    assert (verdict.compatible, verdict.moves_at, verdict.move_index) == (True, "before step 'action'", 2)


def test_what_applies_to_steps_that_ran_must_not_change() -> None:
    old = Definition.model_validate(definition(steps_of(2)) | {
        "signals": {"go": {"schema": {"type": "string"}}}, "input": {"type": "object"},
    })
    data = old.model_dump(by_alias=True, exclude_none=True)
    cases: dict[str, dict[str, Any]] = {
        "'defaults' changed; they already applied to the steps that ran": {"defaults": {"timeout": "5s"}},
        "signal 'go' changed and the run holds one; payloads already taken were checked against it":
            {"signals": {"go": {"schema": {"type": "integer"}}}},
        "the run's input does not match the new input schema ($: 3 is not of type 'object')":
            {"input": {"type": "object"}},
    }
    for reason, change in cases.items():
        new = Definition.model_validate(data | change)
        run_input: Any = 3 if "input" in change else {}
        verdict = check_upgrade(old, None, new, None, Position(0, pending_signals=("go",)), run_input)
        assert verdict.reason == reason
    assert check_upgrade(old, None, old, None, Position(0, status="compensating"), {}).reason == (
        "the run is compensating; only a running run moves"
    )


def test_the_run_moves_at_its_next_safe_point_and_records_the_upgrade() -> None:
    old = definition(steps_of(3))
    new_steps = steps_of(3)
    new_steps[2]["args"] = ["s2", "v2"]
    new = definition([*new_steps, {"id": "s3", "activity": "work", "args": ["s3", "v2"]}], version=2)
    stale = offer(old, new, 0)
    result = run_offline_sync(
        old, activities={"work": work},
        updates=[(15, UPGRADE_UPDATE, stale), (16, UPGRADE_UPDATE, offer(old, new, 1)),
                 (17, UPGRADE_UPDATE, offer(old, new, 1))],
        queries=[(45, "__progress")],
    )
    assert result.status == "completed", result.failure
    rejected, accepted, twice = result.updates[:3]
    assert rejected.error is not None and twice.error is not None
    assert rejected.outcome == "rejected" and "moved past the point" in rejected.error["message"]
    assert accepted.outcome == "answered" and accepted.result == {"accepted": True, "step_index": 1}
    assert twice.outcome == "rejected" and "already waiting" in twice.error["message"]
    assert calls(result) == [("work", "s0", "v1"), ("work", "s1", "v1"), ("work", "s2", "v2"),
                             ("work", "s3", "v2")]
    assert result.runs == 2
    [progress] = [q.result for q in result.queries]
    [record] = progress["upgrade"]["history"]
    assert (record["at_step"], record["step_index"], record["from"]["version"], record["to"]["version"]) == (
        "s2", 2, 1, 2
    )
    assert record["at"].endswith("+00:00")


def test_a_while_moves_between_iterations_and_its_proof_replays_the_loop_as_it_ran() -> None:
    old, new = loop_definition("v1"), loop_definition("v2")
    verdict = check_upgrade(Definition.model_validate(old), None, Definition.model_validate(new), None,
                            Position(0), None)
    assert verdict.between_iterations and verdict.move_index == 0
    assert proof_definition(old, new, 0, True)["steps"] == old["steps"]
    upgrade = [(5, UPGRADE_UPDATE, offer(old, new, 0))]
    result = run_offline_sync(old, {"rounds": 3}, activities={"work": work}, updates=upgrade)
    assert result.output == 3
    assert calls(result) == [("work", "tick", "v1"), ("work", "tick", "v2"), ("work", "tick", "v2")]


# --------------------------------------------------------------------- the properties
EDITS = st.sampled_from(["change", "compensation", "insert", "delete", "append", "none"])


def compensable_steps(count: int) -> list[dict[str, Any]]:
    return [
        {**step, "compensate": {"activity": "undo", "args": [f"s{i}", "v1"]}}
        for i, step in enumerate(steps_of(count))
    ]


def undo(label: str, version: str) -> str:
    return f"undone {label}-{version}"


def fail(reason: str) -> None:
    raise RuntimeError(reason)


ACTIVITIES: dict[str, Callable[..., Any]] = {"work": work, "undo": undo, "fail": fail}
FAILING_END = {"id": "end", "if": "{{ input.fail }}", "activity": "fail", "args": ["late failure"],
               "retry": {"maximum_attempts": 1}}


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=4),
    edit=EDITS,
    where=st.integers(min_value=0, max_value=4),
    position=st.integers(min_value=0, max_value=4),
    fails=st.booleans(),
)
def test_accepted_offers_replay_and_edits_to_executed_steps_are_refused(
    count: int, edit: str, where: int, position: int, fails: bool
) -> None:
    where, k = min(where, count - 1), min(position, count - 1)
    old = definition([*compensable_steps(count), FAILING_END])
    steps = copy.deepcopy(old["steps"])
    extra = {"id": "extra", "activity": "work", "args": ["extra", "v2"],
             "compensate": {"activity": "undo", "args": ["extra", "v2"]}}
    if edit == "change":
        steps[where]["args"] = [f"s{where}", "v2"]
    elif edit == "compensation":
        steps[where]["compensate"]["args"] = [f"s{where}", "v2"]
    elif edit == "insert":
        steps.insert(where, extra)
    elif edit == "delete" and count > 1:
        del steps[where]
    elif edit == "append":
        steps.insert(len(steps) - 1, extra)
    new = definition(steps, version=2)
    verdict = check_upgrade(
        Definition.model_validate(old), None, Definition.model_validate(new), None, Position(k), None
    )
    executed_unchanged = all(
        index < len(steps) and steps[index] == old["steps"][index] for index in range(k + 1)
    )
    # Every edit that changes a step the run ran or runs is refused; every other one is accepted.
    assert verdict.compatible == executed_unchanged, verdict
    if not verdict.compatible:
        assert verdict.reason and verdict.reason.startswith("step ")
        return
    # An accepted offer, sent while step k runs: the run executes exactly what the new definition executes,
    # compensations included (those recorded before the move as they were recorded, which the check made
    # equal to the new definition's; a changed compensation only for steps completed after the move).
    run_input = {"fail": fails}
    moved = run_offline_sync(
        old, run_input, activities=ACTIVITIES,
        updates=[(STEP_SECONDS * k + 5, UPGRADE_UPDATE, offer(old, new, k))],
    )
    fresh = run_offline_sync(new, run_input, activities=ACTIVITIES)
    assert moved.updates[0].outcome == "answered"
    assert moved.runs == 2
    assert (moved.status, calls(moved), moved.output, moved.compensations) == (
        fresh.status, calls(fresh), fresh.output, fresh.compensations
    )


def loop_definition(version: str) -> dict[str, Any]:
    return {"name": "looping", "version": 1 if version == "v1" else 2, "vars": {"n": 0}, "steps": [
        {"id": "loop", "while": {"condition": "{{ vars.n < input.rounds }}", "max_iterations": 9, "steps": [
            {"id": "tick", "activity": "work", "args": ["tick", version]},
            {"set": {"n": "{{ vars.n + 1 }}"}},
        ]}},
    ], "output": "{{ vars.n }}"}


@settings(max_examples=25, deadline=None)
@given(rounds=st.integers(min_value=1, max_value=5), during=st.integers(min_value=0, max_value=4))
def test_a_loop_runs_its_old_body_up_to_the_move_and_the_new_one_after(rounds: int, during: int) -> None:
    old, new = loop_definition("v1"), loop_definition("v2")
    during = min(during, rounds - 1)
    moved = run_offline_sync(
        old, {"rounds": rounds}, activities=ACTIVITIES,
        updates=[(STEP_SECONDS * during + 5, UPGRADE_UPDATE, offer(old, new, 0))],
    )
    # The iteration running when the offer came ends with the old body; the next ones run the new body.
    expected = ["v1"] * (during + 1) + ["v2"] * (rounds - during - 1)
    assert [call[2] for call in calls(moved)] == expected
    assert moved.output == rounds
    assert moved.runs == 2  # between two iterations, or after the loop's last one (before the output)


async def test_the_replay_proof_finds_where_a_history_departs_from_the_new_definition() -> None:
    """The proof on a recorded history (no server): the run's own definition replays; one whose first
    step calls another activity diverges there."""
    history = load_file(Path(__file__).parents[1] / "golden" / "0.1.0" / "approval_approved.json")
    entry = project_catalog().get("approval")
    assert entry is not None
    edited = copy.deepcopy(entry.data)
    edited["steps"][0]["activity"] = "send_email"
    proofs = await prove([
        ProofCase("same", history, entry.data, entry.source),
        ProofCase("edited", history, edited, entry.source),
    ])
    assert proofs["same"] is None
    divergence = proofs["edited"]
    assert divergence is not None and divergence.step == "request"
    assert "the code would schedule activity send_email" in divergence.explain()
