"""Where histories to replay come from: JSON files and folders, or runs on a server chosen by a visibility
query; and how a run's history is recorded as a file.

Both JSON forms are read: what ``WorkflowHandle.fetch_history()`` / ``WorkflowHistory.to_json()`` writes and
what ``temporal workflow show -o json`` (or the Web UI's download) writes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from temporalio.client import Client, WorkflowHistory

from tdsl.errors import SetupError

from .replaying import Labelled

__all__ = [
    "HistoryFileError",
    "from_query",
    "history_files",
    "history_text",
    "load_file",
    "load_paths",
    "record_run",
]


class HistoryFileError(SetupError):
    """A path given to replay is missing or does not hold a workflow history."""


def history_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``*.json`` files among ``paths`` (folders are searched recursively, in name order)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.json")))
        elif path.is_file():
            found.append(path)
        else:
            raise HistoryFileError(f"{path}: no such file or folder")
    return found


def load_file(path: Path) -> WorkflowHistory:
    """The history in ``path``, with the workflow id its start event records (children's ids derive from
    it, so a replay must use the same); histories without one get the file's name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise HistoryFileError(f"{path}: cannot read a JSON history ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list) or not data["events"]:
        raise HistoryFileError(f"{path}: not a workflow history (no \"events\" list)")
    try:
        history = WorkflowHistory.from_json(path.stem, data)
    except Exception as err:  # the SDK's protobuf parser raises several kinds
        raise HistoryFileError(f"{path}: not a workflow history ({err})") from None
    if not history.events[0].HasField("workflow_execution_started_event_attributes"):
        raise HistoryFileError(f"{path}: the history does not start with WorkflowExecutionStarted")
    workflow_id = history.events[0].workflow_execution_started_event_attributes.workflow_id
    return WorkflowHistory(workflow_id, history.events) if workflow_id else history


def load_paths(paths: Iterable[str | Path]) -> list[Labelled]:
    """Every history under ``paths``, read up front so a bad file stops the check before any replay."""
    return [Labelled(str(path), load_file(path)) for path in history_files(paths)]


async def from_query(client: Client, query: str, limit: int | None = None) -> AsyncIterator[Labelled]:
    """The histories of the runs a visibility query selects (``WorkflowType='approval' AND
    ExecutionStatus='Running'``), fetched one by one. Runs without a definition memo (code-defined workflows)
    are left out: replay checks the DSL interpreter."""
    count = 0
    async for execution in client.list_workflows(query):
        memo = await execution.memo()
        if "definition" not in memo:
            continue
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        yield Labelled(f"{execution.id} (run {execution.run_id})", await handle.fetch_history())
        count += 1
        if limit is not None and count >= limit:
            return


def history_text(history: WorkflowHistory) -> str:
    """The history as stable, readable JSON (sorted keys, two-space indent; what ``from_json`` reads)."""
    return json.dumps(json.loads(history.to_json()), indent=2, sort_keys=True) + "\n"


async def record_run(
    client: Client, folder: Path, workflow_id: str, run_id: str | None = None, name: str | None = None
) -> Path:
    """Write the history of a run (its latest run when ``run_id`` is not given) to ``folder/<name>.json``
    (default name: the workflow id)."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    history = await handle.fetch_history()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or workflow_id}.json"
    path.write_text(history_text(history), encoding="utf-8")
    return path
