"""Shared by the linter tests: the fixtures folder and a registry of the example activities."""

from __future__ import annotations

from pathlib import Path

from tests.support import example_registry

__all__ = ["FIXTURES", "ROOT", "example_registry", "expected_lines"]

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parent.parent


def expected_lines(path: Path) -> list[str]:
    """The ``# expect: <formatted diagnostic>`` lines of a fixture (fixtures may not be UTF-8)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [line[len("# expect: "):] for line in text.splitlines() if line.startswith("# expect: ")]
