"""``tdsl test`` on the command line, and ``pytest`` collecting the same files through the plugin."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from xml.etree import ElementTree

from tdsl.server.cli.verbs import TEST_FORMATS
from tdsl.server.testing.report import FORMATS
from tests.server.cli import TDSL, environment

from .helpers import ROOT, project, write

BROKEN = """
    definition: send_reminder
    mocks:
      send_reminder: {returns: {status: sent}}
    cases:
      - name: fine
        input: {user_id: u1, message: hi, delay: 1m}
        expect: {output_contains: {status: sent}, elapsed: 1m}
      - name: broken
        input: {user_id: u1, message: hi, delay: 1m}
        expect: {output_contains: {status: lost}}
"""


def tdsl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TDSL, "test", *args], cwd=cwd, env=environment(), capture_output=True, text=True, timeout=120,
        check=False,
    )


def test_the_verb_formats_are_the_reports() -> None:
    assert tuple(FORMATS) == TEST_FORMATS


def test_tdsl_test_runs_the_definitions_tests_by_default() -> None:
    done = tdsl()
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("PASS approval.test.yaml::approved (") for line in lines)
    assert all(line.startswith("PASS ") for line in lines[:-1])
    assert " passed in " in lines[-1]


def test_exit_status_and_junit(tmp_path: Path) -> None:
    tests = project(tmp_path, "send_reminder")
    write(tests, "r.test.yaml", BROKEN)

    done = tdsl(str(tests))
    assert done.returncode == 1
    assert "PASS r.test.yaml::fine (" in done.stdout
    assert 'output.status: expected "lost", got "sent"' in done.stdout

    junit = tdsl(str(tests), "--format", "junit")
    assert junit.returncode == 1
    suite = ElementTree.fromstring(junit.stdout.split("\n", 1)[1]).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"

    write(tests, "bad.test.yaml", "definition: send_reminder\ncases: []\n")
    done = tdsl(str(tests))
    assert done.returncode == 2
    assert f"ERROR {tests / 'bad.test.yaml'}" in done.stdout

    missing = tdsl(str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_pytest_collects_test_files_through_the_plugin(tmp_path: Path) -> None:
    tests = project(tmp_path, "send_reminder")
    write(tests, "r.test.yaml", BROKEN)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(tests), "-p", "no:cacheprovider", "-v", "--rootdir",
         str(tmp_path)],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "r.test.yaml::fine PASSED" in done.stdout
    assert "r.test.yaml::broken FAILED" in done.stdout
    assert 'output.status: expected "lost", got "sent"' in done.stdout


def test_pytest_reports_an_invalid_test_file_as_a_collection_error(tmp_path: Path) -> None:
    tests = project(tmp_path, "send_reminder")
    write(tests, "bad.test.yaml", "definition: send_reminder\ncases: [{name: a, expect: {statuz: x}}]\n")

    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(tests), "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 2, done.stdout + done.stderr
    assert "bad.test.yaml:2:28: E102 unknown key: statuz" in done.stdout


def test_the_plugin_is_registered_for_pytest() -> None:
    plugins = entry_points(group="pytest11")
    assert [ep.value for ep in plugins if ep.name == "tdsl"] == ["tdsl.server.testing.plugin"]


def test_loading_the_plugin_imports_neither_the_language_nor_the_interpreter() -> None:
    probe = (
        "import sys, tdsl.server.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('tdsl.dsl_schema', 'tdsl.interpreter', "
        "'temporalio', 'jinja2', 'pydantic'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment(), capture_output=True, text=True,
        timeout=60, check=True,
    )
    assert done.stdout.strip() == "[]"
