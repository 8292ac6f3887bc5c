"""The activity registry: what it registers, how arguments reach the functions, and what a worker runs."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError

from tdsl.activities import load_modules
from tdsl.activities.builtin import builtin_registry
from tdsl.activities.registry import KWARGS_KEY, ActivityRegistry, DuplicateActivityError
from tdsl.dsl_schema.catalog import Catalog, load_definition_text
from tdsl.interpreter.options import KWARGS_KEY as INTERPRETER_KWARGS_KEY
from tdsl.interpreter.options import pack_arguments
from tests.support import harness


@dataclass
class Line:
    sku: str
    quantity: int = 1


class Customer(BaseModel):
    name: str
    vip: bool = False


def sync_total(lines: list[Line], discount: float = 0.0) -> dict[str, Any]:
    """Typed parameters: JSON arrives converted to the hinted types."""
    assert all(isinstance(line, Line) for line in lines)
    return {"units": sum(line.quantity for line in lines) * (1 - discount),
            "thread": threading.current_thread().name}


async def async_greet(customer: Customer, when: datetime, *, punctuation: str = "!") -> dict[str, Any]:
    assert isinstance(customer, Customer) and isinstance(when, datetime)
    return {"text": f"Hello {customer.name}{punctuation}", "year": when.year,
            "thread": threading.current_thread().name}


def fresh() -> ActivityRegistry:
    registry = ActivityRegistry()
    registry.register(sync_total)
    registry.register(async_greet, name="greet")
    return registry


def activity_name(fn: Any) -> str:
    definition = activity._Definition.from_callable(fn)
    assert definition is not None and definition.name is not None
    return definition.name


# ---------------------------------------------------------------------------------------------- registering
def test_sync_and_async_functions_register_under_their_or_an_explicit_name() -> None:
    registry = fresh()
    assert registry.names() == ["greet", "sync_total"]
    assert len(registry) == 2 and "greet" in registry and "async_greet" not in registry
    assert registry.function("sync_total") is sync_total
    assert registry.function("greet") is async_greet
    assert registry.function("nope") is None
    assert registry.has_sync()
    assert sorted(activity_name(fn) for fn in registry.activities()) == ["greet", "sync_total"]


def test_the_decorator_returns_the_function_unchanged() -> None:
    registry = ActivityRegistry()

    @registry.register
    def double(x: int) -> int:
        return 2 * x

    @registry.register(name="triple")
    async def thrice(x: int) -> int:
        return 3 * x

    assert double(4) == 8  # still a plain function
    assert asyncio.run(thrice(2)) == 6
    assert registry.names() == ["double", "triple"]
    assert not hasattr(double, "__temporal_activity_definition")
    assert not ActivityRegistry().has_sync()


def test_one_function_under_several_names() -> None:
    registry = ActivityRegistry()
    registry.register(sync_total, name="total")
    registry.register(sync_total, name="sum_lines")
    assert sorted(activity_name(fn) for fn in registry.activities()) == ["sum_lines", "total"]


def test_a_second_function_under_a_taken_name_is_refused() -> None:
    registry = fresh()
    registry.register(sync_total)  # the same function again is fine

    def sync_total_2(lines: list[Line]) -> None: ...

    with pytest.raises(DuplicateActivityError) as caught:
        registry.register(sync_total_2, name="sync_total")
    assert str(caught.value) == (
        f"activity 'sync_total' is already registered by {__name__}.sync_total"
    )
    assert registry.function("sync_total") is sync_total


def test_update_and_load_modules_copy_activities() -> None:
    combined = ActivityRegistry()
    combined.update(fresh())
    loaded = load_modules(["tdsl.activities.examples.payments"], into=combined)
    assert loaded is combined
    assert {"greet", "sync_total", "charge_payment", "refund_payment"} <= set(combined.names())
    # without ``into``: a new registry holding exactly the named modules' activities
    assert load_modules([]).names() == []
    examples = load_modules(["tdsl.activities.examples"])
    assert {"charge_payment", "reserve_inventory", "send_email"} <= set(examples.names())
    assert "greet" not in examples


# ---------------------------------------------------------------------------------------------- arguments
def wrapped(registry: ActivityRegistry, name: str) -> Any:
    return next(fn for fn in registry.activities() if activity_name(fn) == name)


def test_arguments_are_converted_to_type_hints_and_defaults_apply() -> None:
    total = wrapped(fresh(), "sync_total")
    assert total([{"sku": "A", "quantity": 2}, {"sku": "B"}])["units"] == 3
    assert total([{"sku": "A", "quantity": 4}], 0.5)["units"] == 2


def test_keyword_arguments_arrive_in_one_trailing_envelope() -> None:
    assert KWARGS_KEY == INTERPRETER_KWARGS_KEY == "__kwargs__"
    greet = wrapped(fresh(), "greet")
    packed = pack_arguments([{"name": "Ada"}], {"when": "2030-05-01T10:00:00", "punctuation": "?"})
    assert packed == [{"name": "Ada"}, {"__kwargs__": {"when": "2030-05-01T10:00:00", "punctuation": "?"}}]
    result = asyncio.run(greet(*packed))
    assert (result["text"], result["year"]) == ("Hello Ada?", 2030)
    assert pack_arguments(None, None) == [] and pack_arguments([1], {}) == [1]
    # only a mapping with exactly the one key is an envelope; any other mapping is a positional value
    total = wrapped(fresh(), "sync_total")
    with pytest.raises(ApplicationError, match=r"argument 'discount': Expected value to be int\|float"):
        total([], {"__kwargs__": {"discount": 0.5}, "other": 1})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "sync_total: missing a required argument: 'lines'"),
        (([], 0.1, 7), "sync_total: too many positional arguments"),
        (([], {KWARGS_KEY: {"rebate": 1}}), "sync_total: got an unexpected keyword argument 'rebate'"),
        (([{"quantity": 1}],), "sync_total: argument 'lines': Failed converting list["),
        (([], "much"), "sync_total: argument 'discount': Expected value to be int|float, was <class 'str'>"),
    ],
)
def test_arguments_that_cannot_fit_fail_without_retry(args: tuple[Any, ...], message: str) -> None:
    total = wrapped(fresh(), "sync_total")
    with pytest.raises(ApplicationError) as caught:
        total(*args)
    assert caught.value.type == "ArgumentError"
    assert caught.value.non_retryable
    assert caught.value.message.startswith(message)


def test_a_conversion_error_names_the_argument_and_its_cause() -> None:
    total = wrapped(fresh(), "sync_total")
    with pytest.raises(ApplicationError) as caught:
        total([{"sku": "A"}, {"quantity": 1}])
    assert caught.value.message == (
        f"sync_total: argument 'lines': Failed converting list[{__name__}.Line] index 1: "
        "Line.__init__() missing 1 required positional argument: 'sku'"
    )


def test_pydantic_models_are_validated() -> None:
    greet = wrapped(fresh(), "greet")
    result = asyncio.run(greet({"name": "Bo", "vip": True}, "2030-01-01T00:00:00"))
    assert result["text"] == "Hello Bo!"
    with pytest.raises(ApplicationError) as caught:
        asyncio.run(greet({"vip": True}, "2030-01-01T00:00:00"))
    assert caught.value.type == "ArgumentError"
    assert caught.value.message.startswith("greet: argument 'customer': 1 validation error for Customer")


# ---------------------------------------------------------------------------------------------- on a worker
CALLS = """
name: registry_calls
steps:
  - id: total
    activity: sync_total
    args: ["{{ input.lines }}"]
    kwargs: {discount: 0.25}
  - id: greeting
    activity: greet
    args: [{name: Ada, vip: true}]
    kwargs: {when: "2031-01-02T03:04:05", punctuation: "."}
output: {total: "{{ steps.total }}", greeting: "{{ steps.greeting }}"}
"""

CALLS_OTHER = """
name: registry_calls_other
steps:
  - activity: send_email
    args: [a@example.com, s, b]
"""


async def test_the_worker_runs_exactly_the_registry(client: Client, task_queue: str) -> None:
    registry = fresh()
    async with harness(client, task_queue, registry=registry, catalog=Catalog()) as h:
        h.add(CALLS)
        result = await h.execute("registry_calls", {"lines": [{"sku": "A", "quantity": 4}]})
        # The catalog and RunService refuse it (send_email is an example activity, but not in this
        # registry): start it directly, compiled without a registry.
        other = load_definition_text(CALLS_OTHER, "<test>")
        payload: dict[str, Any] = {"definition": other.data, "input": None}
        started: WorkflowHandle[Any, Any] = await h.client.start_workflow(
            "registry_calls_other",
            payload,
            id=h.unique_id("other"),
            task_queue=task_queue,
        )
        with pytest.raises(WorkflowFailureError) as caught:
            await started.result()
    assert result["total"]["units"] == 3
    assert result["total"]["thread"].startswith("activity")  # sync functions run in the worker's thread pool
    assert result["greeting"]["text"] == "Hello Ada." and result["greeting"]["year"] == 2031
    assert result["greeting"]["thread"] == "MainThread"  # async functions run on the worker's event loop
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "NotFoundError"
    available = cause.message.rsplit("available activities: ", 1)[1]
    # The registry's activities, and the built-in ones every DSL worker runs (the http step's).
    assert available.split(", ") == sorted([*registry.names(), *builtin_registry().names()])
