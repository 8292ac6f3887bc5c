"""``retry:`` on steps holding steps (``do``, ``try``, ``parallel``, ``foreach``, ``child``) runs the whole
step again on a retryable error, with backoff in durable timers and the attempt visible as ``attempt``;
``retry.jitter`` spreads the delays with replay-safe random numbers (an activity with jitter is retried by
the workflow, one scheduled attempt at a time)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from tdsl.activities import ActivityRegistry
from tdsl.dsl_schema.catalog import load_definition_text
from tdsl.interpreter import run_offline_sync
from tdsl.interpreter.retry import delay_after
from tdsl.interpreter.runtime import RetrySpec
from tests.interpreter.histories import assert_replays, events, of_type, summaries
from tests.support import example_registry, harness

START = datetime(2030, 1, 1, tzinfo=UTC)
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
TIMER = EventType.EVENT_TYPE_TIMER_STARTED

REGISTRY = ActivityRegistry()
REGISTRY.update(example_registry())
CALLS: Counter[str] = Counter()


@REGISTRY.register
async def flaky(key: str, failures: int) -> dict[str, Any]:
    """Fails (retryably) the first ``failures`` calls of the run, then returns the call count."""
    run = f"{activity.info().workflow_id}/{key}"
    CALLS[run] += 1
    if CALLS[run] <= failures:
        raise ApplicationError(f"call {CALLS[run]} failed", type="Flaky")
    return {"calls": CALLS[run]}


BLOCK = """
name: block_retry
vars: {tries: 0}
steps:
  - id: block
    do:
      - set: {tries: "{{ vars.tries + 1 }}"}
      - id: call
        activity: flaky
        args: [block, "{{ input.failures }}"]
        retry: {maximum_attempts: 1}
      - set: {succeeded_at: "{{ attempt }}"}
    retry: {initial_interval: 100ms, backoff_coefficient: 2, maximum_attempts: 4,
            non_retryable_errors: [Fatal]}
  - id: jittered
    activity: flaky
    args: [jittered, "{{ input.failures }}"]
    retry: {initial_interval: 100ms, maximum_attempts: 3, jitter: 0.5}
  - try:
      - activity: flaky
        args: [exhausted, 9]
        retry: {initial_interval: 100ms, maximum_attempts: 2}
    catch:
      - steps: [{set: {gave_up_after: "{{ error.attempts }}"}}]
output: {tries: "{{ vars.tries }}", at: "{{ vars.succeeded_at }}", calls: "{{ steps.jittered.calls }}",
         gave_up_after: "{{ vars.gave_up_after }}"}
"""


def offline_flaky() -> Any:
    calls: Counter[str] = Counter()

    def call(key: str, failures: int) -> dict[str, Any]:
        calls[key] += 1
        if calls[key] <= failures:
            raise ApplicationError(f"call {calls[key]} failed", type="Flaky")
        return {"calls": calls[key]}

    return call


def test_offline_a_block_runs_again_until_it_succeeds() -> None:
    entry = load_definition_text(BLOCK, "<test>", REGISTRY)
    result = run_offline_sync(entry, {"failures": 2}, activities={"flaky": offline_flaky()}, start_time=START)
    assert result.output == {"tries": 3, "at": 3, "calls": 3, "gave_up_after": 2}
    assert [c.name for c in result.calls] == ["flaky"] * 8
    # block: 0.1 s then 0.2 s; the jittered activity: 0.1 and 0.2 s, each spread by up to half; 0.1 s
    assert 0.4 + 0.15 <= result.elapsed <= 0.4 + 0.45


def test_offline_jitter_is_the_same_for_the_same_run() -> None:
    entry = load_definition_text(BLOCK, "<test>", REGISTRY)

    def elapsed(workflow_id: str) -> float:
        return run_offline_sync(entry, {"failures": 2}, activities={"flaky": offline_flaky()},
                                workflow_id=workflow_id, start_time=START).elapsed

    assert elapsed("a") == elapsed("a")
    assert elapsed("a") != elapsed("b")


def test_delays_back_off_up_to_the_maximum_and_spread_by_jitter() -> None:
    spec = RetrySpec(initial_interval=1, backoff_coefficient=3, maximum_interval=5, maximum_attempts=9)
    assert [delay_after(spec, n, lambda: 0.5) for n in (1, 2, 3)] == [1, 3, 5]
    spread = RetrySpec(initial_interval=10, jitter=0.2)
    assert delay_after(spread, 1, lambda: 0.0) == 8.0
    assert delay_after(spread, 1, lambda: 0.5) == 10.0
    assert 11.99 < delay_after(spread, 1, lambda: 0.999999) < 12.0


GIVING_UP = """
name: giving_up
steps:
  - try:
      - id: block
        do:
          - fail: {type: "{{ input.type }}", message: "attempt {{ attempt }}"}
        retry: {initial_interval: 1s, maximum_attempts: 3, non_retryable_errors: [Fatal]}
    catch:
      - steps: [{return: {attempts: "{{ error.attempts }}", message: "{{ error.message }}"}}]
"""


def test_offline_the_last_error_counts_the_attempts_and_non_retryable_types_stop_at_once() -> None:
    entry = load_definition_text(GIVING_UP, "<test>")
    retried = run_offline_sync(entry, {"type": "Flaky"}, activities={}, start_time=START)
    assert retried.output == {"attempts": 3, "message": "attempt 3"}
    assert retried.elapsed == 3.0  # 1 s, then 2 s
    fatal = run_offline_sync(entry, {"type": "Fatal"}, activities={}, start_time=START)
    assert fatal.output == {"attempts": 1, "message": "attempt 1"}
    assert fatal.elapsed == 0


async def test_a_worker_retries_blocks_and_jittered_activities_in_durable_timers(
    client: Client, task_queue: str
) -> None:
    async with harness(client, task_queue, registry=REGISTRY) as h:
        name = h.add(BLOCK)
        handle = await h.start(name, {"failures": 2})
        assert await handle.result() == {"tries": 3, "at": 3, "calls": 3, "gave_up_after": 2}
        history = await events(handle)
        await assert_replays(client, handle.id)
    assert len(of_type(history, SCHEDULED)) == 7  # the workflow retries: each scheduled once (+1: Temporal's)
    timers = summaries(history, TIMER)
    assert timers[:2] == ["block: retry (attempt 2) in 0.1s", "block: retry (attempt 3) in 0.2s"]
    jittered = [t.split(" in ")[0] for t in timers[2:4] if t is not None]
    assert jittered == ["jittered: retry (attempt 2)", "jittered: retry (attempt 3)"]


COMPOSITES = """
name: composites
vars: {log: []}
steps:
  - id: both
    parallel:
      branches:
        left: [{set: {log: "{{ vars.log + ['left ' ~ attempt] }}"}}]
        right:
          - if: "{{ attempt < 2 }}"
            fail: {type: Flaky, message: right}
    retry: {initial_interval: 1s}
  - id: each
    foreach:
      items: [1, 2]
      steps:
        - if: "{{ attempt < 3 and item == 2 }}"
          fail: {type: Flaky, message: "item {{ item }}"}
    retry: {initial_interval: 1s, backoff_coefficient: 1}
  - id: handled
    try:
      - fail: {type: Flaky, message: "try {{ attempt }}"}
    catch:
      - when: "{{ attempt < 2 }}"
        steps: [{raise: {}}]
      - steps: [{set: {log: "{{ vars.log + ['handled ' ~ attempt] }}"}}]
    retry: {initial_interval: 1s}
output: "{{ vars.log }}"
"""


def test_offline_parallel_foreach_and_try_run_again_as_a_whole() -> None:
    entry = load_definition_text(COMPOSITES, "<test>")
    result = run_offline_sync(entry, None, activities={}, start_time=START)
    assert result.output == ["left 1", "left 2", "handled 2"]
    assert result.elapsed == 1 + 2 + 1  # parallel once, foreach twice (1 s each), try once
