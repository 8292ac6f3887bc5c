"""Histories changed on purpose: what a run recorded under one release looks like to code that behaves
differently (the definition a run carries in its start input is edited, so replay issues other commands)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from tests.golden.releases import current_folder


def golden(name: str) -> dict[str, Any]:
    """A golden history of the current release, as parsed JSON."""
    data: dict[str, Any] = json.loads((current_folder() / f"{name}.json").read_text(encoding="utf-8"))
    return data


def edit_definition(history: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """A copy of ``history`` whose start input has ``old`` replaced by ``new`` (in the compact JSON of the
    definition the run carries)."""
    changed = copy.deepcopy(history)
    payload = changed["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
    text = base64.b64decode(payload["data"]).decode("utf-8")
    assert old in text, f"{old!r} is not in the run's definition"
    payload["data"] = base64.b64encode(text.replace(old, new, 1).encode("utf-8")).decode("ascii")
    return changed


def write(folder: Path, name: str, history: dict[str, Any]) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(history, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
