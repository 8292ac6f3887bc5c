"""``tdsl lint`` and ``tdsl schema``: output formats and exit statuses (0 clean, 1 errors, 2 could not
run)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tdsl.dsl_schema.validate import workflow_schema
from tdsl.server.cli import build_parser

VALID = """\
name: greeting
steps:
  - id: sent
    activity: send_email
    args: ["{{ input.email }}", "Hello", "Welcome aboard!"]
output: "{{ steps.sent }}"
"""
BROKEN = """\
name: broken
steps:
  - id: sent
    activity: send_emial
    args: ["{{ input.email }}", "Hello", "{{ steps.snet }}"]
"""
WARNED = """\
name: warned
signals:
  approve: {}
steps:
  - set: {x: 1}
"""
TDSL = Path(sys.executable).parent / "tdsl"


def tdsl(*argv: str) -> int:
    """Run a sub-command in-process and return its exit status."""
    args = build_parser().parse_args(list(argv))
    return int(args.func(args))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder with a ``definitions/`` folder and no configuration."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as tdsl's main() does for the current folder
    for name in ("TDSL_CONFIG", "TDSL_DEFINITIONS", "TDSL_ACTIVITY_MODULES"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "definitions").mkdir()
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_definitions_folder_exits_0(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir / "definitions", "greeting.yaml", VALID)
    assert tdsl("lint") == 0
    assert capsys.readouterr().out == "1 file checked: no problems\n"


def test_errors_exit_1_with_source_lines_and_carets(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir / "definitions", "greeting.yaml", VALID)
    write(workdir / "definitions", "broken.yaml", BROKEN)
    assert tdsl("lint", "definitions") == 1
    assert capsys.readouterr().out.splitlines() == [
        "definitions/broken.yaml:4:15: E400 unknown activity 'send_emial'; did you mean 'send_email'?",
        "        activity: send_emial",
        "    " + " " * 14 + "^",
        "definitions/broken.yaml:5:46: E301 unknown step 'snet'; did you mean 'sent'?",
        """        args: ["{{ input.email }}", "Hello", "{{ steps.snet }}"]""",
        "    " + " " * 45 + "^",
        "2 errors, 0 warnings in 2 files",
    ]


def test_warnings_alone_exit_0(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(workdir, "warned.yaml", WARNED)
    assert tdsl("lint", str(path)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"{path}:3:3: W501 signal 'approve' is declared but never waited for nor read: a run only records it"
    )
    assert out.splitlines()[-1] == "0 errors, 1 warning in 1 file"


def test_json_format(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir, "broken.yaml", BROKEN)
    assert tdsl("lint", "broken.yaml", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == ["broken.yaml"]
    assert (report["errors"], report["warnings"]) == (2, 0)
    assert report["diagnostics"][0] == {
        "file": "broken.yaml", "line": 4, "col": 15, "code": "E400", "severity": "error",
        "message": "unknown activity 'send_emial'; did you mean 'send_email'?",
        "json_path": "$.steps[0].activity",
    }
    assert report["diagnostics"][1]["json_path"] == "$.steps[0].args[2]"


def test_github_format(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir, "broken.yaml", BROKEN)
    write(workdir, "warned.yaml", WARNED)
    assert tdsl("lint", "broken.yaml", "warned.yaml", "--format", "github") == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error file=broken.yaml,line=4,col=15,title=E400::E400 unknown activity 'send_emial'; "
        "did you mean 'send_email'?",
        "::error file=broken.yaml,line=5,col=46,title=E301::E301 unknown step 'snet'; did you mean 'sent'?",
        "::warning file=warned.yaml,line=3,col=3,title=W501::W501 signal 'approve' is declared but never "
        "waited for nor read: a run only records it",
    ]


def test_a_missing_path_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tdsl("lint", "nothere.yaml") == 2
    assert capsys.readouterr().err == "tdsl: error: nothere.yaml does not exist\n"


def test_an_activity_module_that_fails_to_import_exits_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(workdir, "broken_activities.py", "raise RuntimeError('no credentials')\n")
    assert tdsl("lint", "--activity-module", "broken_activities") == 2
    assert capsys.readouterr().err == (
        "tdsl: error: cannot import activity module 'broken_activities': RuntimeError: no credentials\n"
    )


def test_a_bad_configuration_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tdsl("lint", "--config", "missing.yaml") == 2
    assert capsys.readouterr().err == "tdsl: error: configuration file missing.yaml does not exist\n"


def test_the_definitions_folder_comes_from_the_environment(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workdir / "definitions", "broken.yaml", BROKEN)
    (workdir / "flows").mkdir()
    write(workdir / "flows", "greeting.yaml", VALID)
    monkeypatch.setenv("TDSL_DEFINITIONS", "flows")
    assert tdsl("lint") == 0
    assert capsys.readouterr().out == "1 file checked: no problems\n"


def test_schema_prints_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert tdsl("schema") == 0
    assert json.loads(capsys.readouterr().out) == workflow_schema()


def test_the_console_script_checks_activities_of_a_module_in_the_current_folder(tmp_path: Path) -> None:
    write(tmp_path, "sms.py", textwrap.dedent("""\
        from tdsl.activities import register

        @register
        async def send_sms(phone: str, text: str) -> dict:
            return {"status": "sent"}
        """))
    write(tmp_path, "notify.yaml", textwrap.dedent("""\
        name: notify
        steps:
          - {id: sms, activity: send_sms, args: ["{{ input.phone }}", hi, extra]}
        """))
    done = subprocess.run([str(TDSL), "lint", "notify.yaml", "--activity-module", "sms"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines()[0] == (
        "notify.yaml:3:41: E401 send_sms(phone, text) takes at most 2 positional arguments but 3 were given"
    )
    missing = subprocess.run([str(TDSL), "lint", "gone.yaml"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=60, check=False)
    assert (missing.returncode, missing.stderr) == (2, "tdsl: error: gone.yaml does not exist\n")
