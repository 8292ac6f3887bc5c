"""``child``: run another definition of the catalog as a child workflow (wait for it, or not).

The definitions a run may start are pinned in its input (``children``) when it starts, like its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import ChildStep

from ..errors import DefinitionFailedAtRun
from ..payload import PinnedChild, RunPayload
from ..runtime import ChildCall
from . import handles
from .activity import record_compensation

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(ChildStep)
async def run_child(interp: Interpreter, step: ChildStep, frame: Frame, path: str) -> Any:
    spec = step.child
    entry = interp.child_entry(spec.definition)
    if entry is None:
        raise DefinitionFailedAtRun(
            f"child definition {spec.definition!r} was not in the catalog when the run started", step=path
        )
    payload = RunPayload(
        definition=entry.definition,
        input=interp.render(spec.input, frame, path),
        children={name: interp.payload.child(name) for name in interp.payload.children},
        source=entry.source,
    )
    summary = f"{path}: run {spec.definition}"
    if spec.summary:  # the Web UI's line for the child run
        summary = str(interp.render(spec.summary, frame, path))
    call = ChildCall(
        workflow_type=spec.definition,
        payload=payload,
        workflow_id=str(interp.render(spec.id, frame, path)) if spec.id else None,
        wait=spec.wait,
        task_queue=spec.task_queue,
        memo=child_memo(spec.definition, entry),
        summary=summary,
    )
    result = await interp.runtime.execute_child(call)
    if step.compensate is not None:
        record_compensation(interp, step.compensate, step.id, result, frame, path)
    return result


def child_memo(name: str, entry: PinnedChild) -> dict[str, Any]:
    """The memo of a child run: the same keys as a run started from the catalog."""
    memo: dict[str, Any] = {"definition": entry.definition_name or name}
    for key in ("version", "sha256", "commit"):
        value = getattr(entry, key)
        if value is not None:
            memo[key] = value
    return memo
