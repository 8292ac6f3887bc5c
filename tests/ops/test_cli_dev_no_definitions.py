"""``tdsl dev`` from a folder without definitions says where it looked."""

from __future__ import annotations

from pathlib import Path

from tdsl.server.devserver import free_port
from tests.server.cli import tdsl


async def test_dev_says_where_it_looked_for_definitions(tmp_path: Path) -> None:
    missing = tmp_path / "definitions"
    done = await tdsl(
        "dev", "--no-http", "--definitions", str(missing), "--state-dir", str(tmp_path / "state"),
        "--port", str(free_port()), "--ui-port", str(free_port()),
        "--example", "approval", "--example-input", "{}", "--exit-after-example",
        timeout=120,
    )
    assert "Definitions      (none)\n" in done.out, done
    assert (
        f"no definitions folder at {missing} (set --definitions, TDSL_DEFINITIONS or `definitions:` in "
        "config.yaml)" in done.out
    )
    assert done.code == 1
    assert done.err.startswith(
        "tdsl: error: unknown definition or workflow 'approval'; no definitions folder"
    )
