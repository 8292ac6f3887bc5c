"""A virtual event loop: its clock jumps to the next deadline whenever every task is blocked."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Condition:
    predicate: Callable[[], bool]
    future: asyncio.Future[bool]


def resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


class _VirtualSelector(selectors.BaseSelector):
    """The loop's selector: polls the real one without blocking and moves the virtual clock instead of
    sleeping. The loop asks it to wait only when no callback is ready, i.e. when every task is blocked."""

    def __init__(self) -> None:
        self._real = selectors.DefaultSelector()
        self.loop: VirtualLoop | None = None

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        loop = self.loop
        if ready or loop is None or (timeout is not None and timeout <= 0):
            return ready
        if loop.check_conditions():
            return ready  # a waiter resumes: let it run before time moves
        if timeout is None:
            loop.stalled()  # nothing scheduled and nothing can happen: blocked forever
        else:
            loop.advance(timeout)
        return ready

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop on a virtual clock (``time()`` only moves when every task waits)."""

    def __init__(self) -> None:
        self._virtual_now = 0.0
        self.conditions: list[Condition] = []
        self.on_stall: Callable[[], None] | None = None
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self
        # Timers due within this much of now fire. The monotonic clock's resolution (1ns) is below the float
        # spacing of a virtual clock months in: a timer due "now" would then never fire.
        self._clock_resolution = 1e-6

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        self._virtual_now += seconds

    def check_conditions(self) -> bool:
        """Resume the condition waits whose predicate now holds; whether any did."""
        fired = False
        for condition in list(self.conditions):
            if condition.future.done():
                self.conditions.remove(condition)
                continue
            try:
                holds = condition.predicate()
            except Exception as err:  # surfaces in the waiting step, like a failing workflow task would
                condition.future.set_exception(err)
                holds = True
            else:
                if holds:
                    condition.future.set_result(True)
            if holds:
                self.conditions.remove(condition)
                fired = True
        return fired

    def stalled(self) -> None:
        if self.on_stall is not None:
            self.on_stall()
        else:  # nobody to tell: stop rather than spin
            self.stop()
