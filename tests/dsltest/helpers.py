"""Writing definition test files for tests (in temporary folders: files in tests/ would be collected)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"
EXAMPLE_TESTS = DEFINITIONS / "tests"


def project(tmp_path: Path, *names: str) -> Path:
    """A definitions folder in ``tmp_path`` with copies of the example definitions ``names``; returns its
    ``tests/`` folder."""
    folder = tmp_path / "definitions"
    (folder / "tests").mkdir(parents=True)
    for name in names:
        shutil.copy(DEFINITIONS / f"{name}.yaml", folder / f"{name}.yaml")
    return folder / "tests"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path
