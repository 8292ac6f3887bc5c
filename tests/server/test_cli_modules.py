"""Activity modules named on the command line import from the current folder, and a module that cannot be
imported is a clear error (exit 2), never a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.cli import TDSL, Done, environment

GREETING = """\
name: greeting
steps:
  - id: sms
    activity: send_sms
    args: ["{{ input.phone }}", "Welcome!"]
output: "{{ steps.sms }}"
"""
MY_ACTIVITIES = """\
from tdsl.activities import register

@register
async def send_sms(phone: str, text: str) -> dict:
    return {"status": "sent", "to": phone}
"""


async def tdsl_in(folder: Path, *args: str) -> Done:
    process = await asyncio.create_subprocess_exec(
        TDSL, *args, cwd=folder, env=environment(), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Done(process.returncode, out.decode(), err.decode())


async def test_modules_in_the_current_folder_are_found(tmp_path: Path) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "greeting.yaml").write_text(GREETING)
    (tmp_path / "my_activities.py").write_text(MY_ACTIVITIES)
    found = await tdsl_in(
        tmp_path, "lint", "--activity-module", "tdsl.activities.examples",
        "--activity-module", "my_activities",
    )
    assert found.code == 0, found.out + found.err
    missing = await tdsl_in(tmp_path, "lint", "--activity-module", "tdsl.activities.examples")
    assert missing.code == 1
    assert "unknown activity 'send_sms'" in missing.out


async def test_a_module_that_cannot_be_imported_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "broken_activities.py").write_text("import not_installed_anywhere\n")
    for command in (["run", "greeting", "--input", "{}"], ["lint"], ["worker"]):
        done = await tdsl_in(tmp_path, *command, "--activity-module", "broken_activities")
        assert done.code == 2, (command, done.out, done.err)
        assert (
            "cannot import activity module 'broken_activities': ModuleNotFoundError: "
            "No module named 'not_installed_anywhere'"
        ) in done.err
        assert "Traceback" not in done.err
