"""Golden histories per release: ``tests/golden/<version>/<scenario>.json``.

Each release keeps the histories recorded with it: runs started under 0.1.0 may still be in flight when 0.2.0
is deployed, so the suite replays the histories of every earlier release as well as the current one
(``tests/test_replay.py``). The current release is the version in ``pyproject.toml``; its folder must hold
every scenario (record them: ``python -m tests.golden.record``), earlier folders are never changed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
PYPROJECT = GOLDEN.parents[1] / "pyproject.toml"
_VERSION = re.compile(r"^\d+(\.\d+)*$")


def version_key(version: str) -> tuple[int, ...]:
    """``"0.10.1"`` -> ``(0, 10, 1)``: releases in order."""
    return tuple(int(part) for part in version.split("."))


def current_release() -> str:
    """The version being built (``project.version`` of ``pyproject.toml``)."""
    version: str = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    return version


def release_folders(root: Path = GOLDEN) -> list[Path]:
    """The release folders under ``root``, oldest first (other folders, such as ``__pycache__``, are not
    releases)."""
    folders = [p for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name)]
    return sorted(folders, key=lambda p: version_key(p.name))


def current_folder() -> Path:
    """Where the recorder writes: the current release's folder."""
    return GOLDEN / current_release()


def golden_histories(root: Path = GOLDEN) -> list[Path]:
    """Every golden history of every release, oldest release first."""
    return [path for folder in release_folders(root) for path in sorted(folder.glob("*.json"))]
