"""Retries the workflow itself carries out: a step holding other steps (``try``, ``parallel``, ``foreach``,
``child``, ``do``) with ``retry:`` runs again as a whole when it fails, and an activity whose retry policy has
``jitter`` is scheduled one attempt at a time. Between attempts the run sleeps in a durable timer; the delay
is ``initial_interval * backoff_coefficient ** (attempt - 1)``, capped by ``maximum_interval``, then spread
by ``jitter`` with the runtime's replay-safe random numbers.

An error is retried unless its type is in ``non_retryable_errors``, it says it is non-retryable
(``ApplicationError(non_retryable=True)``) or the attempts are used up (``maximum_attempts``; 0 is no
limit). The error that ends the retries carries the number of attempts (``error.attempts``). Definition
errors and cancellation are never retried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .errors import StepFailed
from .runtime import RetrySpec

if TYPE_CHECKING:
    from .core import Interpreter

__all__ = ["delay_after", "retryable", "retrying"]


def retryable(err: StepFailed, spec: RetrySpec, attempt: int) -> bool:
    """Whether ``err``, ending attempt ``attempt``, is worth another attempt under ``spec``."""
    if err.non_retryable or err.type in spec.non_retryable_errors:
        return False
    return spec.maximum_attempts == 0 or attempt < spec.maximum_attempts


def delay_after(spec: RetrySpec, attempt: int, random: Callable[[], float]) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1 for the first)."""
    delay = spec.initial_interval * spec.backoff_coefficient ** (attempt - 1)
    cap = spec.maximum_interval if spec.maximum_interval is not None else 100 * spec.initial_interval
    delay = min(delay, cap)
    if spec.jitter > 0:
        delay *= 1 - spec.jitter + 2 * spec.jitter * random()
    return delay


async def retrying(
    interp: Interpreter, spec: RetrySpec, path: str, run: Callable[[int], Awaitable[Any]]
) -> Any:
    """Run ``run(attempt)`` (attempt 1, 2, ...) until it returns or fails for good; sleeps between attempts
    in durable timers. The final error carries the attempts made."""
    attempt = 1
    while True:
        try:
            return await run(attempt)
        except StepFailed as err:
            if not retryable(err, spec, attempt):
                err.attempts = attempt
                raise
            delay = delay_after(spec, attempt, interp.runtime.random)
        attempt += 1
        if delay <= 0:
            continue
        until = interp.runtime.now() + timedelta(seconds=delay)
        wait = {"kind": "timer", "step": path, "seconds": delay, "until": until.isoformat(),
                "attempt": attempt}
        with interp.pending_wait(wait):
            await interp.runtime.sleep(delay, f"{path}: retry (attempt {attempt}) in {delay:.3g}s")
