"""``foreach``: run steps for every item, at most ``concurrency`` at a time, results in input order.

The step's result is ``{"results": [...], "errors": [{"index", "item", "error"}], "succeeded", "failed"}``;
an item's result is its ``result`` template, else its last step's result (``None`` when it failed). Each item
runs in its own frame, with the item as ``item`` (or the ``as`` name) and its position as ``index``. With
``tolerate_failures`` (a count, or a percentage of the items rounded down) failed items are recorded and the
loop goes on until more than that many failed; with the default 0 the first failure cancels the other items
and fails the step with that item's own error (so ``catch`` can match its type). ``concurrency`` and
``tolerate_failures`` may be one expression each, rendered when the step starts (after ``items``); a value
that is not a valid literal fails the run with a ``DefinitionFailedAtRun``.

Lists longer than :data:`BATCH_SIZE` are split into batches, each run by a child workflow of type
``<definition>.batch`` (the same definition with a ``fragment`` in its input), so no history approaches
Temporal's limits. Up to ``concurrency`` items run at once across the batches, in as few full batches as
that takes (:func:`batch_widths`), so the cost per item does not grow with the list. With ``collect:
summary`` the step keeps only ``{"errors" (the first 100), "succeeded", "failed"}`` and batches return no
results; with the default ``collect: all`` a list whose results pass :data:`MAX_RESULTS_BYTES` fails with
``ResultTooLarge``. A batch sees the run's
variables as they were when it started; ``set`` steps inside a batched body change only that batch's copy.
Compensations recorded by a batch's items are handed back to the parent's saga. A batch gets the parent's
resolved numbers (never the expressions, which it would render in its own context).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.kinds.foreach import MAX_RESULTS_BYTES
from tdsl.dsl_schema.models import MAX_CONCURRENCY, PERCENTAGE_PATTERN, ForeachStep, Step

from ..concurrency import run_all
from ..errors import DefinitionFailedAtRun, RunEnded, StepFailed
from ..payload import Fragment
from ..runtime import ChildCall
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

BATCH_SIZE = 500
"""Items per child workflow when a list is longer than this (about 4 history events per item)."""


class _BatchHadEnough(Exception):
    """A batch saw more failures than the whole loop tolerates: it stops and reports what it has."""


_PERCENTAGE = re.compile(PERCENTAGE_PATTERN.removesuffix("$") + r"\Z")  # ``$`` would accept "10%\n"


@dataclass(frozen=True)
class Limits:
    """A loop's resolved numbers: items running at once, and items that may fail (of the whole list)."""

    concurrency: int
    allowed: int


def tolerance(value: int | str, count: int) -> int:
    """How many of ``count`` items may fail under a literal tolerance (a count or a percentage)."""
    if isinstance(value, str):
        return math.floor(count * float(value[:-1]) / 100 + 1e-9)
    return int(value)


def _whole(value: Any) -> int | None:
    """``value`` as an int when it is one (``4.0`` counts, as in the schema; ``True`` does not)."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value if type(value) is int else None


def limits(interp: Interpreter, step: ForeachStep, frame: Frame, path: str, count: int) -> Limits:
    """Render ``concurrency`` and ``tolerate_failures`` (literals pass through) and check what they gave."""
    spec = step.foreach
    concurrency: Any = spec.concurrency
    if isinstance(concurrency, str):
        rendered = interp.render(concurrency, frame, path)
        number = _whole(rendered)
        if number is None or not 1 <= number <= MAX_CONCURRENCY:
            raise DefinitionFailedAtRun(
                f"foreach concurrency {concurrency!r} gave {_shown(rendered)}, "
                f"not an integer from 1 to {MAX_CONCURRENCY}",
                step=path,
                expression=concurrency,
            )
        concurrency = number
    value: Any = spec.tolerate_failures
    if isinstance(value, str) and not _PERCENTAGE.match(value):
        rendered = interp.render(value, frame, path)
        number = _whole(rendered)
        if number is not None and number >= 0:
            rendered = number
        elif not (type(rendered) is str and _PERCENTAGE.match(rendered)):
            raise DefinitionFailedAtRun(
                f"foreach tolerate_failures {value!r} gave {_shown(rendered)}, "
                "not an integer >= 0 or a percentage such as '10%'",
                step=path,
                expression=value,
            )
        value = rendered
    return Limits(int(concurrency), tolerance(value, count))


def _shown(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


@handles(ForeachStep)
async def run_foreach(interp: Interpreter, step: ForeachStep, frame: Frame, path: str) -> Any:
    items = interp.render(step.foreach.items, frame, path)
    if not isinstance(items, list):
        raise DefinitionFailedAtRun(f"foreach items must be a list, got {type(items).__name__}", step=path)
    resolved = limits(interp, step, frame, path, len(items))
    if len(items) > BATCH_SIZE:
        outcome = await run_batches(interp, step, frame, path, items, resolved)
    else:
        outcome = await run_items(
            interp, step, frame, path, items, concurrency=resolved.concurrency, allowed=resolved.allowed
        )
    return finish(interp, step, path, items, outcome, resolved.allowed)


async def run_items(
    interp: Interpreter,
    step: ForeachStep,
    frame: Frame,
    path: str,
    items: list[Any],
    *,
    concurrency: int,
    allowed: int,
    offset: int = 0,
    batch: bool = False,
) -> dict[str, Any]:
    """Run the body for ``items`` in this workflow, ``concurrency`` at a time. Failures beyond ``allowed``
    raise; in a ``batch`` (``allowed`` is the whole loop's tolerance) they stop the batch, which reports
    what it has."""
    spec = step.foreach
    results: list[Any] = [None] * len(items)
    errors: list[dict[str, Any]] = []
    cursor = iter(range(len(items)))

    async def worker() -> None:
        # Workers take the next item in input order: with ``concurrency`` workers, at most that many items
        # run at once, and a replay issues the same commands in the same order.
        for index in cursor:
            absolute = offset + index
            item_frame = frame.child(**{spec.as_: items[index], "index": absolute})
            item_path = f"{path}[{absolute}]"
            try:
                last = await interp.run_steps(spec.steps, item_frame, item_path)
                results[index] = (
                    interp.render(spec.result, item_frame, item_path) if spec.result is not None else last
                )
            except StepFailed as err:
                errors.append({"index": absolute, "item": items[index], "error": err.as_dict()})
                if len(errors) > allowed:
                    if batch:
                        raise _BatchHadEnough from err
                    if allowed == 0:
                        raise
                    raise too_many_failures(path, errors, len(items), allowed) from err

    width = min(concurrency, len(items))
    with contextlib.suppress(_BatchHadEnough):  # the parent sees more errors than it tolerates and fails
        await run_all(interp.runtime, [worker() for _ in range(width)])
    errors.sort(key=lambda e: e["index"])
    return {"results": [] if spec.collect == "summary" else results, "errors": errors}


async def run_fragment(interp: Interpreter) -> dict[str, Any]:
    """The body of a batch child: run its slice of the parent's items (see ``run_batches``)."""
    from pydantic import TypeAdapter

    fragment = interp.payload.fragment
    if fragment is None:
        raise DefinitionFailedAtRun("a batch run needs a fragment")
    interp.state.vars = dict(fragment.vars)
    root = interp.state.root
    root.steps = dict(fragment.steps)
    root.locals = dict(fragment.locals)
    step = TypeAdapter(Step).validate_python(fragment.step)
    if not isinstance(step, ForeachStep):
        raise DefinitionFailedAtRun("a batch must carry a foreach step", step=fragment.path)
    try:
        outcome = await run_items(
            interp,
            step,
            root,
            fragment.path,
            fragment.items,
            offset=fragment.offset,
            concurrency=fragment.concurrency,
            allowed=fragment.allowed if fragment.allowed is not None else len(fragment.items),
            batch=True,
        )
    except RunEnded as ended:  # a ``return`` in the body ends the parent's run
        return {"ended": True, "output": ended.output}
    outcome["compensations"] = interp.saga.as_data()
    return outcome


async def run_batches(
    interp: Interpreter, step: ForeachStep, frame: Frame, path: str, items: list[Any], resolved: Limits
) -> dict[str, Any]:
    """Run ``items`` in child workflows of ``BATCH_SIZE`` items each, up to ``concurrency`` item slots."""
    allowed = resolved.allowed
    chunks = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
    if interp.runtime.patched(FULL_BATCHES_PATCH):
        widths = batch_widths(len(chunks), resolved.concurrency)
    else:  # runs started before full batches: one launcher per chunk up to the concurrency, split evenly
        parallel_children = min(len(chunks), resolved.concurrency)
        widths = [max(1, resolved.concurrency // parallel_children)] * parallel_children
    info = interp.runtime.info()
    step_data = step.model_dump(mode="json", by_alias=True, exclude_unset=True)
    body = step_data["foreach"]
    # The batch runs with the numbers rendered here (also passed as ``concurrency``/``allowed``): its copy of
    # the step holds them instead of expressions, which would render in the batch's own context.
    if isinstance(body.get("concurrency"), str):
        body["concurrency"] = resolved.concurrency
    if isinstance(body.get("tolerate_failures"), str) and not _PERCENTAGE.match(body["tolerate_failures"]):
        body["tolerate_failures"] = allowed
    cursor = iter(range(len(chunks)))
    outcomes: list[dict[str, Any]] = [{} for _ in chunks]

    async def launcher(per_child: int) -> None:
        for number in cursor:
            first = number * BATCH_SIZE
            fragment = Fragment(
                path=path,
                step=step_data,
                items=chunks[number],
                offset=first,
                concurrency=per_child,
                allowed=allowed,
                vars=interp.state.vars,
                steps=frame.visible_steps(),
                locals=frame.visible_locals(),
            )
            call = ChildCall(
                workflow_type=f"{interp.definition.name}.batch",
                payload=interp.payload.with_parts(fragment=fragment),
                workflow_id=f"{info.get('id')}/{path}/batch-{number}",
                wait=True,
                summary=f"{path}: items {first}..{first + len(chunks[number]) - 1}",
            )
            try:
                outcome = await interp.runtime.execute_child(call)
            except StepFailed as err:
                if err.type == DefinitionFailedAtRun.type:  # the batch hit this definition's own error
                    raise DefinitionFailedAtRun(err.message, step=path) from None
                raise
            if outcome.get("ended"):
                raise RunEnded(outcome.get("output"))
            outcomes[number] = outcome
            for record in outcome.get("compensations", []):
                interp.saga.push_data(record)
            errors = sorted((e for o in outcomes for e in o.get("errors", [])), key=lambda e: e["index"])
            check_tolerance(path, errors, len(items), allowed)

    await run_all(interp.runtime, [launcher(width) for width in widths])
    return {
        "results": [r for outcome in outcomes for r in outcome["results"]],
        "errors": sorted((e for o in outcomes for e in o["errors"]), key=lambda e: e["index"]),
    }


FULL_BATCHES_PATCH = "foreach-full-batches"
"""Runs that started before this change split the concurrency over one child per chunk (up to the
concurrency): with 100 at once over 200 chunks, 100 children ran one item each, and the cost per item grew
with the list. They replay that way; newer runs use :func:`batch_widths`."""


def batch_widths(chunks: int, concurrency: int) -> list[int]:
    """Items at once in each child batch running at the same time: as few children as keep ``concurrency``
    items in flight with full batches (two when there are two chunks or more, so one batch's tail overlaps the
    next one's start), never more than ``concurrency`` items in all and never fewer than one per child."""
    children = min(chunks, concurrency, max(2, math.ceil(concurrency / BATCH_SIZE)))
    base, extra = divmod(concurrency, children)
    return [min(BATCH_SIZE, base + (1 if number < extra else 0)) for number in range(children)]


MAX_ERROR_DETAILS = 100
"""The failed items a ``TooManyFailures`` error lists (the first ones), so a failure stays small."""


def too_many_failures(path: str, errors: list[dict[str, Any]], count: int, allowed: int) -> StepFailed:
    return StepFailed(
        "TooManyFailures",
        f"{len(errors)} of {count} items failed (tolerated: {allowed})",
        step=path,
        details=errors[:MAX_ERROR_DETAILS],
    )


def check_tolerance(path: str, errors: list[dict[str, Any]], count: int, allowed: int) -> None:
    """Raise when more than ``allowed`` items failed: the first item's own error when nothing is tolerated
    (so ``catch`` can match its type), else ``TooManyFailures`` listing them."""
    if len(errors) <= allowed:
        return
    if allowed == 0:
        error = errors[0]["error"]
        raise StepFailed(
            error["type"], error["message"], step=error.get("step"), details=error.get("details")
        )
    raise too_many_failures(path, errors, count, allowed)


def finish(
    interp: Interpreter,
    step: ForeachStep,
    path: str,
    items: list[Any],
    outcome: dict[str, Any],
    allowed: int,
) -> dict[str, Any]:
    errors = outcome["errors"]
    check_tolerance(path, errors, len(items), allowed)
    counts = {"succeeded": len(items) - len(errors), "failed": len(errors)}
    if step.foreach.collect == "summary":
        return {"errors": errors[:MAX_ERROR_DETAILS], **counts}
    results = outcome["results"]
    check_size(interp, path, results)
    return {"results": results, "errors": errors, **counts}


def check_size(interp: Interpreter, path: str, results: list[Any]) -> None:
    if len(results) < MEASURED_FROM:  # short lists stay cheap: only long ones are measured
        return
    size = len(json.dumps(results, separators=(",", ":"), default=str))
    # Runs that started before the check replay without it (patched is only asked when it would fail).
    if size > MAX_RESULTS_BYTES and interp.runtime.patched(RESULT_SIZE_PATCH):
        raise StepFailed(
            "ResultTooLarge",
            f"foreach {path!r} collected {size:,} bytes of results for {len(results):,} items, over the "
            f"{MAX_RESULTS_BYTES:,} a step may keep (Temporal refuses payloads over 2 MB): set "
            "`collect: summary` to keep the counts and failed items only, or shape each item's `result` "
            "smaller",
            step=path,
            details={"bytes": size, "items": len(results), "limit": MAX_RESULTS_BYTES},
        )


RESULT_SIZE_PATCH = "foreach-result-size"
MEASURED_FROM = 1000
"""Results of lists shorter than this are not measured (they stay far below the limit unless each item's
result is itself large, which Temporal reports for the activity that returned it)."""
