"""``foreach``: run steps for every item, at most ``concurrency`` at a time, results in input order.

The step's result is ``{"results": [...], "errors": [{"index", "item", "error"}], "succeeded", "failed"}``;
an item's result is its ``result`` template, else its last step's result (``None`` when it failed). With
``tolerate_failures`` (a count or a percentage of the items) failed items are recorded and the loop goes on
until more than that many failed; with the default 0 the first failure cancels the other items.

Large lists are split into batches run by child workflows (each batch a run of the same definition with a
``fragment``), so no single history approaches Temporal's limits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dsl_schema.models import ForeachStep

from ..concurrency import run_all
from ..errors import DefinitionError, StepError
from ..runtime import ChildCall
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

BATCH_SIZE = 500
"""Items per child workflow when a list is longer than this (about 6 history events per item)."""


def tolerance(spec: Any, count: int) -> int:
    value = spec.tolerate_failures
    if isinstance(value, str):
        return math.floor(count * float(value[:-1]) / 100)
    return int(value)


@handles(ForeachStep)
async def run_foreach(interp: Interpreter, step: ForeachStep, frame: Frame, path: str) -> Any:
    items = interp.render(step.foreach.items, frame, path)
    if not isinstance(items, list):
        raise DefinitionError(f"foreach items must be a list, got {type(items).__name__}", step=path)
    if len(items) > BATCH_SIZE:
        outcome = await run_batches(interp, step, frame, path, items)
    else:
        outcome = await run_items(interp, step, frame, path, items, tolerate_all=False)
    return finish(step, path, items, outcome)


async def run_items(
    interp: Interpreter,
    step: ForeachStep,
    frame: Frame,
    path: str,
    items: list[Any],
    *,
    tolerate_all: bool,
    offset: int = 0,
    concurrency: int | None = None,
) -> dict[str, Any]:
    """Run the body for ``items`` in this workflow; failures beyond the tolerance raise."""
    spec = step.foreach
    results: list[Any] = [None] * len(items)
    errors: list[dict[str, Any]] = []
    allowed = len(items) if tolerate_all else tolerance(spec, len(items))
    cursor = iter(range(len(items)))

    async def worker() -> None:
        for index in cursor:
            absolute = offset + index
            item_frame = frame.child(**{spec.as_: items[index], "index": absolute})
            item_path = f"{path}[{absolute}]"
            try:
                last = await interp.run_steps(spec.steps, item_frame, item_path)
                results[index] = (
                    interp.render(spec.result, item_frame, item_path) if spec.result is not None else last
                )
            except StepError as err:
                errors.append({"index": absolute, "item": items[index], "error": err.as_dict()})
                if len(errors) > allowed:
                    if allowed == 0:
                        raise
                    raise too_many_failures(path, errors, len(items), allowed) from err

    width = min(concurrency or spec.concurrency, len(items))
    await run_all([worker() for _ in range(width)])
    errors.sort(key=lambda e: e["index"])
    return {"results": results, "errors": errors}


async def run_batches(
    interp: Interpreter, step: ForeachStep, frame: Frame, path: str, items: list[Any]
) -> dict[str, Any]:
    """Run ``items`` in child workflows of ``BATCH_SIZE`` items each, up to ``concurrency`` item slots."""
    spec = step.foreach
    chunks = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
    parallel_children = min(len(chunks), spec.concurrency)
    per_child = max(1, spec.concurrency // parallel_children)
    info = interp.runtime.info()
    step_data = step.model_dump(mode="json", by_alias=True, exclude_unset=True)
    cursor = iter(range(len(chunks)))
    outcomes: list[dict[str, Any]] = [{} for _ in chunks]

    async def launcher() -> None:
        for number in cursor:
            fragment = {
                "path": path,
                "step": step_data,
                "items": chunks[number],
                "offset": number * BATCH_SIZE,
                "concurrency": per_child,
                "vars": interp.state.vars,
                "steps": frame.visible_steps(),
                "locals": frame.visible_locals(),
            }
            call = ChildCall(
                workflow_type=f"{interp.definition.name}.batch",
                payload={**interp.payload.to_data(), "fragment": fragment, "resume": None},
                workflow_id=f"{info.get('id')}/{path}/batch-{number}",
                wait=True,
                summary=f"{path}: items {number * BATCH_SIZE}..{number * BATCH_SIZE + len(chunks[number]) - 1}",
            )
            outcomes[number] = await interp.runtime.execute_child(call)
            for record in outcomes[number].get("compensations", []):
                interp.saga.push_data(record)
            errors = sorted((e for o in outcomes for e in o.get("errors", [])), key=lambda e: e["index"])
            check_tolerance(path, errors, len(items), tolerance(spec, len(items)))

    await run_all([launcher() for _ in range(parallel_children)])
    return {
        "results": [r for outcome in outcomes for r in outcome["results"]],
        "errors": sorted((e for o in outcomes for e in o["errors"]), key=lambda e: e["index"]),
    }


def too_many_failures(path: str, errors: list[dict[str, Any]], count: int, allowed: int) -> StepError:
    return StepError(
        "TooManyFailures",
        f"{len(errors)} of {count} items failed (tolerated: {allowed})",
        step=path,
        details=errors,
    )


def check_tolerance(path: str, errors: list[dict[str, Any]], count: int, allowed: int) -> None:
    """Raise when more than ``allowed`` items failed: the first item's own error when nothing is tolerated
    (so ``catch`` can match its type), else ``TooManyFailures`` listing them."""
    if len(errors) <= allowed:
        return
    if allowed == 0:
        error = errors[0]["error"]
        raise StepError(error["type"], error["message"], step=error.get("step"), details=error.get("details"))
    raise too_many_failures(path, errors, count, allowed)


def finish(step: ForeachStep, path: str, items: list[Any], outcome: dict[str, Any]) -> dict[str, Any]:
    errors = outcome["errors"]
    check_tolerance(path, errors, len(items), tolerance(step.foreach, len(items)))
    return {
        "results": outcome["results"],
        "errors": errors,
        "succeeded": len(items) - len(errors),
        "failed": len(errors),
    }
