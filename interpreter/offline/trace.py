"""What an offline run went through, for coverage: the steps it reached and started, and how each ``if``
decided. Recorded per definition (children run other definitions), with loop iterations removed from the
paths (``orders[3]/charge`` is the step ``orders/charge``, as in the source map)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core import Interpreter, step_label
from ..run import Run

_ITERATION = re.compile(r"\[\d+\]")


def step_path(path: str) -> str:
    """A run-time path without its loop iterations."""
    return _ITERATION.sub("", path)


@dataclass
class DefinitionTrace:
    """What runs of one definition did."""

    reached: set[str] = field(default_factory=set)
    """Steps whose turn came (their ``if`` was then evaluated)."""
    started: set[str] = field(default_factory=set)
    """Steps that ran (reached, and their ``if`` held)."""
    conditions: dict[tuple[str, str], set[bool]] = field(default_factory=dict)
    """``(step path, condition text)`` -> the values it had."""
    compensated: set[str] = field(default_factory=set)
    """Steps whose compensation ran."""


@dataclass
class Trace:
    """The traces of an offline execution, by definition name; give one to ``run_offline_sync(trace=...)``
    (or merge several runs into one)."""

    definitions: dict[str, DefinitionTrace] = field(default_factory=dict)

    def of(self, name: str) -> DefinitionTrace:
        return self.definitions.setdefault(name, DefinitionTrace())

    def instrument(self, core: Run) -> None:
        """Record what ``core`` (and the runs it continues as) does."""
        if core.setup_error is None:
            self._instrument(core.interp)
        make: Callable[[Any], Interpreter] = core._interpreter

        def interpreter(payload: Any) -> Interpreter:
            return self._instrument(make(payload))

        core._interpreter = interpreter  # type: ignore[method-assign]

    def _instrument(self, interp: Interpreter) -> Interpreter:
        record = self.of(interp.definition.name)
        run_step, truthy = interp.run_step, interp.truthy

        async def traced_step(step: Any, index: int, frame: Any, path: str) -> Any:
            label = f"{path}/{step_label(step, index)}" if path else step_label(step, index)
            record.reached.add(step_path(label))
            if step.if_ is None:
                record.started.add(step_path(label))
            return await run_step(step, index, frame, path)

        def traced_truthy(condition: str | bool, frame: Any, step: str | None) -> bool:
            value = truthy(condition, frame, step)
            if isinstance(condition, str) and step is not None:
                where = step_path(step)
                record.conditions.setdefault((where, condition), set()).add(value)
                if value:
                    record.started.add(where)  # an `if` that held (or a case/loop condition: harmless)
            return value

        interp.run_step = traced_step  # type: ignore[method-assign]
        interp.truthy = traced_truthy  # type: ignore[method-assign]
        return interp
