"""Upgrading open runs on the dev server: a fix after a waiting approval moves the run and the fixed step
runs; an edit to a step that already ran is refused with its file:line; a stale offer is rejected by the
run's own validator; a loop picks up its new body at the next iteration; compensations recorded before the
move still run, and a changed compensation applies only to steps completed after it."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from ruamel.yaml import YAML
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError

from tdsl.dsl_schema.catalog import CatalogEntry
from tdsl.dsl_schema.compile import compile_text
from tdsl.interpreter.upgrade import UPGRADE_UPDATE, definition_digest
from tests.interpreter.histories import activity_names, assert_replays, events, run_chain
from tests.support import Harness, eventually, harness
from tests.upgrade import definitions as d


def add(h: Harness, text: str) -> CatalogEntry:
    """Put a definition in the harness's catalog as the engine loads a file (with its source map)."""
    file = "definitions/upg.yaml"
    entry = CatalogEntry.of(compile_text(text, file, h.registry), file=file)
    h.catalog.add(entry)
    return entry


async def at_step(h: Harness, workflow_id: str, index: int, *, waiting: bool = True) -> dict[str, Any]:
    """Wait until the run is at top-level step ``index`` (and waiting for a signal there)."""

    async def check() -> dict[str, Any] | None:
        progress = await h.runs.progress(workflow_id)
        if not progress or progress["upgrade"]["step_index"] != index:
            return None
        return progress if not waiting or progress["pending_waits"] else None

    return await eventually(check, what=f"{workflow_id} at step {index}")


async def test_fix_after_a_waiting_approval_moves_and_the_fixed_step_runs(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        add(h, d.APPROVAL_V1)
        handle = await h.start("upg_approval", {"id": "A-1"})
        first_run = (await handle.describe()).run_id
        await at_step(h, handle.id, 1)
        v2 = add(h, d.APPROVAL_V2)

        [dry] = await h.runs.upgrade("upg_approval", dry_run=True, run_id=handle.id)
        assert (dry.status, dry.moves_at) == ("compatible", "before step 'notify'"), dry
        assert (await handle.describe()).run_id == first_run  # a dry run changes nothing

        [done] = await h.runs.upgrade("upg_approval", run_id=handle.id)
        assert done.status == "moved", done
        progress = await h.runs.progress(handle.id)
        assert progress is not None and progress["upgrade"]["pending"]["version"] == 2

        await h.runs.signal(handle.id, "approve")
        result = await client.get_workflow_handle(handle.id).result()
        assert result == {"notified": True, "decided": True}

        chain = await run_chain(client, handle.id, first_run)
        assert len(chain) == 2
        assert activity_names(chain[0]) == ["send_email"]  # the request, under v1
        assert activity_names(chain[1]) == ["send_email", "send_email"]  # notify (fixed) and audit (new)
        subjects = [
            e.activity_task_scheduled_event_attributes.input.payloads[1].data for e in chain[1]
            if e.HasField("activity_task_scheduled_event_attributes")
        ]
        assert subjects == [b'"Approved: A-1"', b'"Approved"']

        info = await h.runs.describe(handle.id)
        assert (info["version"], info["sha256"]) == (2, v2.sha256)
        memo = await (await client.get_workflow_handle(handle.id).describe()).memo()
        [record] = memo["upgrades"]
        assert record["from"]["version"] == 1 and record["to"]["version"] == 2
        assert record["at_step"] == "notify" and record["from_run_id"] == first_run
        final = await h.runs.progress(handle.id)
        assert final is not None and final["upgrade"]["history"] == [record]

        await assert_replays(client, handle.id, first_run)
        await assert_replays(client, handle.id)


async def test_an_edit_to_a_step_that_already_ran_is_refused_with_its_line(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        add(h, d.APPROVAL_V1)
        handle = await h.start("upg_approval", {"id": "A-2"})
        await at_step(h, handle.id, 1)
        add(h, d.APPROVAL_V2_EDITS_REQUEST)
        [report] = await h.runs.upgrade("upg_approval", run_id=handle.id)
        assert report.status == "refused"
        assert report.reason == "step 'request' changed (definitions/upg.yaml:7) and has already run"
        assert (report.step, report.file, report.line) == ("request", "definitions/upg.yaml", 7)
        await h.runs.signal(handle.id, "approve")
        assert (await handle.result())["decided"] is True
        assert len(await run_chain(client, handle.id, (await handle.describe()).run_id)) == 1


async def test_a_stale_offer_is_rejected_by_the_run(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        v1 = add(h, d.APPROVAL_V1)
        handle = await h.start("upg_approval", {"id": "A-3"})
        await at_step(h, handle.id, 1)
        offer = {
            "definition": v1.data | {"version": 2},
            "expect": {"step_index": 0, "digest": definition_digest(v1.data)},  # checked before it moved on
        }
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(UPGRADE_UPDATE, offer)
        assert "moved past the point the offer was checked at" in str(failed.value.cause)
        other = {**offer, "expect": {"step_index": 1, "digest": definition_digest({"name": "other"})}}
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(UPGRADE_UPDATE, other)
        assert "no longer runs the definition" in str(failed.value.cause)
        await h.runs.signal(handle.id, "approve")
        assert (await handle.result())["decided"] is True
        history = await events(handle)
        assert not any(e.HasField("workflow_execution_update_accepted_event_attributes") for e in history)
        await assert_replays(client, handle.id)


async def test_a_loop_picks_up_the_new_body_at_the_next_iteration(client: Client, task_queue: str) -> None:
    async with harness(client, task_queue) as h:
        add(h, d.LOOP_V1)
        handle = await h.start("upg_loop", {"rounds": 3})
        first_run = (await handle.describe()).run_id
        await at_step(h, handle.id, 0)
        await h.runs.signal(handle.id, "tick")  # iteration 0 renews under v1
        await eventually(
            lambda: _count(h, handle.id, 3), what="the first renewal"
        )
        add(h, d.LOOP_V2)
        [report] = await h.runs.upgrade("upg_loop", run_id=handle.id)
        assert (report.status, report.moves_at) == ("moved", "billing (between two iterations)"), report
        await h.runs.signal(handle.id, "tick")  # iteration 1 finishes under v1, then the run moves
        await h.runs.signal(handle.id, "tick")
        assert await client.get_workflow_handle(handle.id).result() == {"renewals": 3}
        chain = await run_chain(client, handle.id, first_run)
        assert len(chain) == 2
        bodies = [
            [e.activity_task_scheduled_event_attributes.input.payloads[1].data for e in found
             if e.HasField("activity_task_scheduled_event_attributes")]
            for found in chain
        ]
        assert bodies == [[b'"Renewal v1"', b'"Renewal v1"'], [b'"Renewal v2"']]
        await assert_replays(client, handle.id, first_run)
        await assert_replays(client, handle.id)


async def _count(h: Harness, workflow_id: str, completed: int) -> bool:
    progress = await h.runs.progress(workflow_id)
    return bool(progress and progress["completed_count"] >= completed and progress["pending_waits"])


async def test_compensations_recorded_before_the_move_run_and_a_changed_one_applies_after_it(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue) as h:
        add(h, d.SAGA_V1)
        handle = await h.start("upg_saga", {"hotel": "H1", "flight": "F1", "amount": 20000})
        await at_step(h, handle.id, 1)
        add(h, d.SAGA_V2)
        [report] = await h.runs.upgrade("upg_saga", run_id=handle.id)
        assert report.status == "moved", report
        await h.runs.signal(handle.id, "go")
        with pytest.raises(WorkflowFailureError) as failed:
            await client.get_workflow_handle(handle.id).result()
        details = failed.value.cause.details[0]  # type: ignore[attr-defined]
        done = [(c["step"], c["activity"], c["status"]) for c in details["compensations"]]
        assert done == [("flight", "send_email", "completed"), ("hotel", "cancel_hotel", "completed")]
        await assert_replays(client, handle.id)


def _edit(text: str, edit: str, where: int) -> tuple[str, bool]:
    """``text`` (APPROVAL_V1) with one edit at top-level step ``where``, and whether a run waiting in
    step 1 may take it (no step up to 1 changed)."""
    data = YAML(typ="safe").load(text)
    steps = data["steps"]
    extra = {"id": "extra", "activity": "send_email", "args": ["x@example.com", "Extra", "{{ input.id }}"]}
    if edit == "change" and "activity" in steps[where]:
        steps[where]["args"][1] = "Changed"
    elif edit == "change":
        steps[where]["wait_for"]["timeout"] = "1h"
    elif edit == "insert":
        steps.insert(where, extra)
    elif edit == "delete":
        del steps[where]
    else:
        steps.append(extra)
    data["version"] = 2
    compatible = edit == "append" or where > 1
    return json.dumps(data, indent=2), compatible  # JSON is YAML


async def test_a_handful_of_random_edits_checked_and_proved_on_the_server(
    client: Client, task_queue: str
) -> None:
    """The property of tests/upgrade/test_upgrade_offline.py on real histories: a dry run (static check and
    replay proof) accepts exactly the edits that leave the steps the run ran and runs unchanged."""
    chooser = random.Random(20261130)
    kinds = ["change", "insert", "delete", "append"]
    edits = [(chooser.choice(kinds), chooser.randrange(3)) for _ in range(4)]
    edits += [("change", 2), ("change", 1)]  # at least one of each verdict
    async with harness(client, task_queue) as h:
        add(h, d.APPROVAL_V1)
        handle = await h.start("upg_approval", {"id": "P-1"})
        first_run = (await handle.describe()).run_id
        await at_step(h, handle.id, 1)
        for edit, where in edits:
            text, compatible = _edit(d.APPROVAL_V1, edit, where)
            add(h, text)
            [report] = await h.runs.upgrade("upg_approval", dry_run=True, run_id=handle.id)
            assert (report.status == "compatible") == compatible, (edit, where, report)
            if not compatible:
                assert report.line is not None and report.reason and "has already" in report.reason
        assert (await handle.describe()).run_id == first_run
        await h.runs.signal(handle.id, "approve")
        assert (await handle.result())["decided"] is True
