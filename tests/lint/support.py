"""Shared by the linter tests: the fixtures folder and a registry of the example activities."""

from __future__ import annotations

from pathlib import Path

import tdsl.activities  # noqa: F401  - registers the example activities
from tdsl.activities.registry import ActivityRegistry, load_modules

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parent.parent


def example_registry() -> ActivityRegistry:
    """A registry holding exactly the example activities (as ``tdsl lint`` loads them by default)."""
    return load_modules(["tdsl.activities"], into=ActivityRegistry())


def expected_lines(path: Path) -> list[str]:
    """The ``# expect: <formatted diagnostic>`` lines of a fixture (fixtures may not be UTF-8)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [line[len("# expect: "):] for line in text.splitlines() if line.startswith("# expect: ")]
