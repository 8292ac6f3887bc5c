"""Resolve activity options: step values over definition defaults over engine defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tdsl.dsl_schema.models import ActivityOptions, Defaults, RetryPolicy

from .kwargs import KWARGS_KEY, pack_arguments
from .runtime import ActivityCall, RetrySpec

__all__ = ["KWARGS_KEY", "pack_arguments", "resolve_call", "retry_spec"]  # the envelope lives in .kwargs

DEFAULT_START_TO_CLOSE = 60.0
DEFAULT_MAXIMUM_ATTEMPTS = 3
# An activity name no worker registers fails with this type; retrying it cannot help.
ALWAYS_NON_RETRYABLE = ("NotFoundError",)

DurationResolver = Callable[[Any, str], float]


def _pick(field: str, step: ActivityOptions, defaults: Defaults | None) -> Any:
    value = getattr(step, field)
    if value is None and defaults is not None:
        value = getattr(defaults, field)
    return value


def retry_spec(
    step: RetryPolicy | None, defaults: RetryPolicy | None, duration: DurationResolver
) -> RetrySpec:
    """A retry policy resolved to numbers: the step's fields over the defaults' over the engine's."""

    def pick(field: str) -> Any:
        for policy in (step, defaults):
            if policy is not None and getattr(policy, field) is not None:
                return getattr(policy, field)
        return None

    initial = pick("initial_interval")
    maximum = pick("maximum_interval")
    attempts = pick("maximum_attempts")
    non_retryable = tuple(pick("non_retryable_errors") or ())
    return RetrySpec(
        initial_interval=duration(initial, "retry.initial_interval") if initial is not None else 1.0,
        backoff_coefficient=pick("backoff_coefficient") or 2.0,
        maximum_interval=duration(maximum, "retry.maximum_interval") if maximum is not None else None,
        maximum_attempts=attempts if attempts is not None else DEFAULT_MAXIMUM_ATTEMPTS,
        non_retryable_errors=non_retryable + tuple(e for e in ALWAYS_NON_RETRYABLE if e not in non_retryable),
        jitter=pick("jitter") or 0.0,
    )


def resolve_call(
    name: str,
    args: list[Any],
    options: ActivityOptions,
    defaults: Defaults | None,
    duration: DurationResolver,
    summary: str | None = None,
    text: Callable[[str, str], str] | None = None,
) -> ActivityCall:
    """Build an :class:`ActivityCall` with every timeout and retry field resolved to numbers, and the task
    queue rendered by ``text(value, field)`` (it may be a template like every other string)."""

    def seconds(field: str) -> float | None:
        value = _pick(field, options, defaults)
        return None if value is None else duration(value, field)

    start_to_close = seconds("timeout")
    schedule_to_close = seconds("schedule_to_close")
    if start_to_close is None and schedule_to_close is None:
        start_to_close = DEFAULT_START_TO_CLOSE
    return ActivityCall(
        name=name,
        args=args,
        start_to_close=start_to_close,
        schedule_to_close=schedule_to_close,
        schedule_to_start=seconds("schedule_to_start"),
        heartbeat=seconds("heartbeat"),
        retry=retry_spec(options.retry, defaults.retry if defaults else None, duration),
        task_queue=_task_queue(_pick("task_queue", options, defaults), text),
        summary=summary,
    )


def _task_queue(value: str | None, text: Callable[[str, str], str] | None) -> str | None:
    return value if value is None or text is None else text(value, "task_queue")
