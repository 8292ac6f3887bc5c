"""``tdsl replay`` on files: the report in each format and the exit status (0 replays, 1 diverges, 2 could not
run)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from tdsl.server.cli.verbs import REPLAY_FORMATS
from tdsl.server.replay import FORMATS
from tests.golden.releases import current_folder
from tests.replay.tampering import edit_definition, golden, write
from tests.server.cli import tdsl


def renamed(tmp_path: Path) -> Path:
    history = edit_definition(
        golden("order_processing_success"), '"activity":"charge_payment"', '"activity":"charge_card"'
    )
    return write(tmp_path, "renamed", history)


def test_the_formats_are_the_reports() -> None:
    assert tuple(FORMATS) == REPLAY_FORMATS


async def test_a_history_that_replays_exits_0() -> None:
    path = current_folder() / "approval_approved.json"
    done = await tdsl("replay", str(path))
    assert done.code == 0, done.err
    assert done.out.splitlines() == [
        f"OK    {path}  [approval]",
        "1 history: 1 replay, 0 diverge",
    ]


async def test_a_divergence_exits_1_with_the_step_explained(tmp_path: Path) -> None:
    bad = renamed(tmp_path)
    good = current_folder() / "order_processing_success.json"
    done = await tdsl("replay", str(good), str(bad))
    assert done.code == 1, done.err
    lines = done.out.splitlines()
    assert lines[0] == f"OK    {good}  [order_processing]"
    assert lines[1] == f"FAIL  {bad}  [order_processing]"
    assert lines[2].strip() == (
        "event 5, step payment: the history has activity charge_payment (step payment); "
        "the code would schedule activity charge_card (step payment)"
    )
    assert lines[3].strip().startswith("temporal: [TMPRL1100] Nondeterminism error")
    assert lines[-1] == "2 histories: 1 replay, 1 diverges"
    assert "WARN" not in done.err  # the divergence is reported once, not also as a core warning


async def test_json_and_junit_reports(tmp_path: Path) -> None:
    bad = renamed(tmp_path)
    done = await tdsl("replay", str(bad), "--format", "json")
    assert done.code == 1
    [entry] = json.loads(done.out)["histories"]
    assert entry["ok"] is False and entry["workflow_type"] == "order_processing"
    assert entry["divergence"]["event_id"] == 5 and entry["divergence"]["step"] == "payment"
    assert entry["divergence"]["history"]["name"] == "charge_payment"
    assert entry["divergence"]["code"]["name"] == "charge_card"

    report = tmp_path / "replay.xml"
    done = await tdsl("replay", str(tmp_path), "--format", "junit", "--output", str(report))
    assert done.code == 1
    suite = ElementTree.parse(report).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and "step payment" in (failure.get("message") or "")
    assert done.out.splitlines()[-1] == "1 history: 0 replay, 1 diverges"  # the terminal gets the summary


async def test_both_json_forms_are_read(tmp_path: Path) -> None:
    # ``temporal workflow show -o json`` and older tools write enums as names without prefixes.
    data = golden("send_reminder_delay")
    for event in data["events"]:
        event["eventType"] = "".join(
            word.capitalize() for word in event["eventType"].removeprefix("EVENT_TYPE_").split("_")
        )
    done = await tdsl("replay", str(write(tmp_path, "cli_form", data)))
    assert done.code == 0, done.out + done.err


async def test_nothing_to_replay_exits_2(tmp_path: Path) -> None:
    cases = {
        (): "give history files or folders, --query, or --record DIR --workflow-id ID",
        (str(tmp_path / "missing.json"),): "missing.json: no such file or folder",
        (str(tmp_path),): "no histories to replay",
    }
    for args, message in cases.items():
        done = await tdsl("replay", *args)
        assert done.code == 2, (args, done.out, done.err)
        assert message in done.err
    (tmp_path / "notes.json").write_text('{"events": "soon"}', encoding="utf-8")
    done = await tdsl("replay", str(tmp_path))
    assert done.code == 2 and 'not a workflow history (no "events" list)' in done.err
    (tmp_path / "notes.json").write_text("{", encoding="utf-8")
    done = await tdsl("replay", str(tmp_path))
    assert done.code == 2 and "cannot read a JSON history" in done.err


async def test_record_needs_a_workflow_id(tmp_path: Path) -> None:
    done = await tdsl("replay", "--record", str(tmp_path))
    assert done.code == 2 and "--record needs --workflow-id" in done.err
