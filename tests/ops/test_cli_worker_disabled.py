"""``tdsl worker`` with the worker disabled in the configuration says so and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from tests.server.cli import tdsl


async def test_a_disabled_worker_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("temporal:\n  url: 127.0.0.1:1\n  worker:\n    enabled: false\n")
    done = await tdsl("worker", "--config", str(config))
    assert done.code == 2, done
    assert done.out == ""
    assert done.err == (
        "tdsl: error: nothing to run: the configuration disables the worker (temporal.worker.enabled: "
        "false); enable it or use `tdsl serve` for the HTTP API alone\n"
    )
