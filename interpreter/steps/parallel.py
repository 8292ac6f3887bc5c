"""``parallel``: branches run concurrently. ``all`` waits for every branch and returns each branch's last
result by name; ``first`` returns the first branch to finish (``{winner, result}``) and cancels the rest. A
failing branch cancels its siblings and fails the step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.models import ParallelStep

from ..concurrency import run_all, run_first
from . import handles

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame


@handles(ParallelStep)
async def run_parallel(interp: Interpreter, step: ParallelStep, frame: Frame, path: str) -> Any:
    names = list(step.parallel.branches)
    coros = [interp.run_steps(step.parallel.branches[name], frame, f"{path}/{name}") for name in names]
    if step.parallel.mode == "first":
        index, result = await run_first(interp.runtime, coros)
        return {"winner": names[index], "result": result}
    results = await run_all(interp.runtime, coros)
    return dict(zip(names, results, strict=True))
