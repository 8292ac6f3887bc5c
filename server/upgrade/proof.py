"""The replay proof of an upgrade: does the run's history replay against the new definition?

The static check (:mod:`.check`) compares models; this proves the same thing with the interpreter itself. The
run's history is replayed (:func:`tdsl.server.replay.replay_histories`, the worker's workflow and sandbox)
with the definition in its start event replaced by the new one, so every command the run has issued so far
must be one the new definition issues at the same place. When the run moves between two iterations of a
top-level ``while``, the iterations already run used the loop as it was: the replayed definition is then the
new one for the steps before the loop and the run's own for the loop and after it (they ran, or run until
the move, unchanged). The history is not changed on the server: the replay works on a copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import default as default_converter

from ..replay import Labelled, replay_histories
from ..replay.divergence import Divergence

__all__ = ["ProofCase", "proof_definition", "prove", "with_definition"]


@dataclass(frozen=True)
class ProofCase:
    """One run to prove: its history and the definition (and source map) to replay it against."""

    key: str
    history: WorkflowHistory
    definition: Mapping[str, Any]
    source: Mapping[str, Any] | None


def proof_definition(
    old: Mapping[str, Any], new: Mapping[str, Any], move_index: int, between_iterations: bool
) -> dict[str, Any]:
    """The definition a run's history must replay against: ``new``, except that a loop the run moves out of
    between two iterations (and what follows it) is the run's own, as it ran."""
    if not between_iterations:
        return dict(new)
    steps = list(new.get("steps") or [])[:move_index] + list(old.get("steps") or [])[move_index:]
    return {**new, "steps": steps}


def with_definition(
    history: WorkflowHistory, definition: Mapping[str, Any], source: Mapping[str, Any] | None
) -> WorkflowHistory:
    """A copy of ``history`` whose start input carries ``definition`` (and ``source``)."""
    first = HistoryEvent()
    first.CopyFrom(history.events[0])
    payloads = first.workflow_execution_started_event_attributes.input.payloads
    converter = default_converter().payload_converter
    data = dict(converter.from_payload(payloads[0]))
    data["definition"] = dict(definition)
    if source is not None:
        data["source"] = dict(source)
    else:
        data.pop("source", None)
    payloads[0].CopyFrom(converter.to_payload(data))
    return WorkflowHistory(history.workflow_id, [first, *history.events[1:]])


async def prove(cases: Sequence[ProofCase]) -> dict[str, Divergence | None]:
    """Replay every case (one replayer for all); the divergence of each by key (``None``: it replays)."""
    if not cases:
        return {}
    labelled = [
        Labelled(case.key, with_definition(case.history, case.definition, case.source)) for case in cases
    ]
    return {outcome.source: outcome.divergence async for outcome in replay_histories(labelled)}
