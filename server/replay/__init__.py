"""Replay workflow histories against today's interpreter: does a new release keep the runs in flight working?

``tdsl replay`` (``server/cli/replay_cmd.py``) reads histories from files or from a server
(:mod:`.sources`), replays them with the worker's workflow and runner (:mod:`.replaying`), and explains the
first divergence of each in the DSL's terms (:mod:`.divergence`): event id, step path, what the history has
and what the code would do. See docs/REPLAY.md.
"""

from __future__ import annotations

from .divergence import Divergence, find_divergence
from .replaying import Labelled, ReplayOutcome, replay_histories
from .report import FORMATS, render
from .sources import HistoryFileError, from_query, history_text, load_file, load_paths, record_run

__all__ = [
    "FORMATS",
    "Divergence",
    "HistoryFileError",
    "Labelled",
    "ReplayOutcome",
    "find_divergence",
    "from_query",
    "history_text",
    "load_file",
    "load_paths",
    "record_run",
    "render",
    "replay_histories",
]
