"""Activity mocks of a test case as callables for :func:`~tdsl.interpreter.offline.run_offline_sync`."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from temporalio.exceptions import ApplicationError

from tdsl.dsl_schema.durations import parse_duration
from tdsl.errors import SetupError
from tdsl.interpreter.offline.http_mocks import route_http_mocks


class MockError(SetupError):
    """A mock cannot be built (a ``python`` path that does not import)."""


def import_callable(path: str) -> Callable[..., Any]:
    """The callable at ``module.function`` or ``module:function``."""
    if ":" in path:
        module_name, _, attribute = path.partition(":")
    else:
        module_name, _, attribute = path.rpartition(".")
    if not module_name:
        raise MockError(f"python: {path!r} is not module.function")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as err:
        raise MockError(f"python: cannot import {module_name!r}: {err}") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise MockError(f"python: {module_name!r} has no {attribute!r}") from None
    if not callable(target):
        raise MockError(f"python: {path!r} is not callable")
    return target


def _error(spec: Mapping[str, Any]) -> ApplicationError:
    details = spec.get("details") or []
    return ApplicationError(
        spec.get("message", f"{spec['type']} (mocked)"),
        *details,
        type=spec["type"],
        non_retryable=bool(spec.get("non_retryable", False)),
    )


def _outcome(spec: Mapping[str, Any]) -> Any:
    if "error" in spec:
        raise _error(spec["error"])
    return spec.get("returns")


def build_mock(spec: Mapping[str, Any]) -> Callable[..., Any]:
    """One activity's mock: a callable taking any arguments. Each call of a ``sequence`` takes the next
    entry (the last one repeats); a ``delay`` makes the call take that long in virtual time."""
    if "python" in spec:
        return import_callable(spec["python"])
    entries = list(spec.get("sequence") or [spec])
    default_delay = spec.get("delay")
    calls = 0

    def entry() -> Mapping[str, Any]:
        nonlocal calls
        calls += 1
        return entries[min(calls, len(entries)) - 1]

    if default_delay is None and not any("delay" in item for item in entries):

        def mock(*args: Any, **kwargs: Any) -> Any:
            return _outcome(entry())

        return mock

    async def delayed(*args: Any, **kwargs: Any) -> Any:
        chosen = entry()
        delay = chosen.get("delay", default_delay)
        if delay is not None:
            await asyncio.sleep(parse_duration(delay))  # virtual time
        return _outcome(chosen)

    return delayed


def build_mocks(*tables: Mapping[str, Any] | None) -> dict[str, Callable[..., Any]]:
    """The activities of a case: the mocks of each table, later tables replacing earlier ones by name.
    Mocks of single ``http`` steps (``tdsl.http:<step id>``) answer through the ``tdsl.http`` activity
    (:func:`~tdsl.interpreter.offline.http_mocks.route_http_mocks`)."""
    merged: dict[str, Mapping[str, Any]] = {}
    for table in tables:
        merged.update(table or {})
    return route_http_mocks({name: build_mock(spec) for name, spec in merged.items()})
