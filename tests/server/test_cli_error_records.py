"""The command line prints errors as records where it prints JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdsl.server.cli import build_parser


def tdsl(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(args.func(args))


def test_lint_in_json_prints_a_linter_that_cannot_run_as_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TDSL_CONFIG", "TDSL_DEFINITIONS", "TDSL_ACTIVITY_MODULES"):
        monkeypatch.delenv(name, raising=False)
    assert tdsl("lint", "--format", "json", "nothere.yaml") == 2
    out = capsys.readouterr()
    assert json.loads(out.out) == {
        "error": {
            "type": "LintPathError",
            "message": "nothere.yaml does not exist",
            "step": None,
            "file": None,
            "line": None,
            "details": None,
        }
    }
    assert out.err == "tdsl: error: nothere.yaml does not exist\n"
