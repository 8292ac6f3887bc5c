"""The catalog runs the linter's checks: an invalid definition is reported with positions and kept out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdsl.dsl_schema.catalog import Catalog
from tdsl.server.cli import build_parser
from tdsl.server.engine import TemporalEngine

from .support import example_registry

GREETING = """\
name: greeting
steps:
  - id: sent
    activity: send_email
    args: ["{{ input.email }}", "Hello", "Welcome aboard!"]
  - id: follow_up
    child: {definition: reminder}
"""
REMINDER = """\
name: reminder
signals:
  snooze: {}
steps:
  - wait: 1h
"""
BROKEN = """\
name: broken
steps:
  - id: sent
    activity: send_emial
    args: ["{{ input.email }}", "Hello", "{{ steps.snet }}"]
  - child: {definition: remindr}
"""


def _folder(tmp_path: Path) -> Path:
    for name, text in (("greeting", GREETING), ("reminder", REMINDER), ("broken", BROKEN)):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\nsteps: [{wait: 1}]\n")
    return tmp_path


def test_the_catalog_keeps_invalid_definitions_out_and_reports_their_positions(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    catalog = Catalog.load(folder, example_registry())
    assert catalog.names() == ["greeting", "reminder"]
    broken = catalog.invalid[str(folder / "broken.yaml")]
    assert [d.format() for d in broken.diagnostics] == [
        f"{folder}/broken.yaml:4:15: E400 unknown activity 'send_emial'; did you mean 'send_email'?",
        f"{folder}/broken.yaml:5:46: E301 unknown step 'snet'; did you mean 'sent'?",
        f"{folder}/broken.yaml:6:25: E600 unknown child definition 'remindr'; did you mean 'reminder'?",
    ]
    assert "    activity: send_emial\n" + " " * 18 + "^" in broken.render()
    latin1 = catalog.invalid[str(folder / "latin1.yaml")]
    assert [d.format() for d in latin1.diagnostics] == [
        f"{folder}/latin1.yaml:1:1: E002 cannot read the file: not UTF-8 text (byte 0xe9 at offset 9)"
    ]
    # Warnings do not keep a definition out; they travel with its entry.
    assert [d.format() for d in catalog.entries["reminder"].warnings] == [
        f"{folder}/reminder.yaml:3:3: W501 signal 'snooze' is declared but never waited for nor read: "
        "a run only records it"
    ]


def test_the_engine_loads_its_catalog_through_the_linter(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    engine = TemporalEngine(definitions=str(folder), activity_modules=["tdsl.activities.examples"])
    catalog = engine.load_catalog()
    assert catalog.names() == ["greeting", "reminder"]
    broken = catalog.invalid[str(folder / "broken.yaml")]
    assert [d.code for d in broken.diagnostics] == ["E400", "E301", "E600"]


AGREEMENT = {
    "unknown_activity": "name: unknown_activity\nsteps:\n  - activity: teleport\n",
    "bad_arguments": "name: bad_arguments\nsteps:\n  - activity: send_email\n    args: [a@example.com]\n",
    "bad_reference": "name: bad_reference\nsteps:\n  - set: {x: \"{{ steps.nope }}\"}\n",
    "schema_and_activity": "name: schema_and_activity\nsteps:\n  - activity: teleport\n    retries: 3\n",
    "warned": "name: warned\nsignals:\n  unused: {}\nsteps:\n  - wait: 1s\n",
    "warned_again": "name: warned\nsteps:\n  - wait: 1s\n",
}


def test_the_engine_and_tdsl_lint_agree_on_the_same_files_and_activities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TDSL_CONFIG", "TDSL_DEFINITIONS", "TDSL_ACTIVITY_MODULES"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "definitions"
    folder.mkdir()
    for name, text in AGREEMENT.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    engine = TemporalEngine(definitions="definitions", activity_modules=["tdsl.activities.examples"])
    catalog = engine.load_catalog()
    args = build_parser().parse_args(
        ["lint", "--format", "json", "--activity-module", "tdsl.activities.examples"]
    )
    assert args.func(args) == 1
    linted: dict[str, list[str]] = {}
    for found in json.loads(capsys.readouterr().out)["diagnostics"]:
        if found["severity"] == "error":
            linted.setdefault(found["file"], []).append(found["code"])
    refused = {file: [d.code for d in err.diagnostics] for file, err in catalog.invalid.items()}
    # The same files are refused with the same codes; on a file the schema rejects, the linter goes on and
    # also reports what the semantic checks find elsewhere (the engine stops at the schema).
    assert linted.pop("definitions/schema_and_activity.yaml") == ["E400", "E102"]
    assert refused.pop("definitions/schema_and_activity.yaml") == ["E102"]
    assert refused == linted == {
        "definitions/warned_again.yaml": ["E110"],
        "definitions/bad_arguments.yaml": ["E401"],
        "definitions/bad_reference.yaml": ["E301"],
        "definitions/unknown_activity.yaml": ["E400"],
    }
    assert catalog.names() == ["warned"]
    assert [d.code for d in catalog.entries["warned"].warnings] == ["W501"]


REMOTE_REF = """\
name: remote_ref
signals:
  approve:
    schema:
      type: object
      properties:
        by: {$ref: "https://schemas.example.com/person.json"}
steps:
  - wait_for: {signals: [approve], timeout: 1h}
"""


def test_the_engine_refuses_a_schema_with_a_remote_ref_at_its_position(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "remote_ref.yaml").write_text(REMOTE_REF, encoding="utf-8")
    engine = TemporalEngine(definitions=str(folder), activity_modules=["tdsl.activities.examples"])
    catalog = engine.load_catalog()
    assert "remote_ref" not in catalog.names()
    refused = catalog.invalid[str(folder / "remote_ref.yaml")]
    assert [d.format() for d in refused.diagnostics] == [
        f"{folder}/remote_ref.yaml:7:14: E705 signal 'approve' schema has a remote $ref "
        "'https://schemas.example.com/person.json', which is never retrieved; inline the schema under $defs"
    ]
    # Inlined under $defs, the same schema is accepted.
    remote = '{$ref: "https://schemas.example.com/person.json"}'
    inlined = REMOTE_REF.replace(remote, '{$ref: "#/$defs/person"}').replace(
        "      type: object\n", "      type: object\n      $defs: {person: {type: string}}\n"
    )
    (folder / "remote_ref.yaml").write_text(inlined, encoding="utf-8")
    assert "remote_ref" in engine.load_catalog().names()
