"""The activity registry: Python functions that definitions call by name.

``@registry.register`` (or ``@registry.register(name="...")``) accepts sync and async functions. Each is
wrapped as a Temporal activity that

* decodes arguments as plain JSON and converts each to its parameter's type hint (dataclasses, pydantic
  models, ...) itself, so a call with fewer arguments than parameters (defaults) works;
* accepts keyword arguments from definitions, which travel as one trailing ``{"__kwargs__": {...}}`` payload
  because Temporal activities are positional only;
* keeps the original function for signature checks (``registry.function(name)``).

Sync functions run in the worker's thread pool; the worker registers exactly
:meth:`ActivityRegistry.activities`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints, overload

from pydantic import BaseModel
from temporalio import activity
from temporalio.converter import value_to_type

from tdsl.errors import ActivitiesError
from tdsl.interpreter.kwargs import KWARGS_KEY as KWARGS_KEY  # re-exported: the envelope is defined there
from tdsl.interpreter.kwargs import split_arguments

F = TypeVar("F", bound=Callable[..., Any])


class DuplicateActivityError(ActivitiesError, ValueError):
    """Two different functions were registered under one activity name."""


def _split_kwargs(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    positional, kwargs = split_arguments(args)
    return tuple(positional), kwargs


def _to_type(hint: Any, value: Any) -> Any:
    """``value`` (decoded JSON) as ``hint``. Pydantic models validate themselves (the SDK's converter would
    call their deprecated ``parse_obj``); everything else goes through the SDK's converter."""
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return value if isinstance(value, hint) else hint.model_validate(value)
    return value_to_type(hint, value)


def _reason(err: BaseException) -> str:
    """The message of ``err`` and of the errors that caused it ("Failed converting ...: missing 'sku'")."""
    parts: list[str] = []
    current: BaseException | None = err
    while current is not None and len(parts) < 5:
        parts.append(str(current))
        current = current.__cause__
    return ": ".join(part for part in parts if part)


def _converter_for(
    fn: Callable[..., Any],
) -> Callable[[tuple[Any, ...], dict[str, Any]], inspect.BoundArguments]:
    signature = inspect.signature(fn)
    try:
        hints = get_type_hints(fn)
    except Exception:  # unresolvable annotations: pass values through as decoded JSON
        hints = {}

    def convert(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            hint = hints.get(name)
            param = signature.parameters[name]
            if hint is None or hint is Any or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            try:
                bound.arguments[name] = _to_type(hint, value)
            except (TypeError, ValueError) as err:
                raise TypeError(f"argument {name!r}: {_reason(err)}") from None
        return bound

    return convert


def _as_activity(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    convert = _converter_for(fn)

    def arguments(raw: tuple[Any, ...]) -> inspect.BoundArguments:
        args, kwargs = _split_kwargs(raw)
        try:
            return convert(args, kwargs)
        except TypeError as err:
            # Wrong argument count/names cannot succeed on retry.
            from temporalio.exceptions import ApplicationError

            raise ApplicationError(f"{name}: {err}", type="ArgumentError", non_retryable=True) from None

    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(fn):

        async def async_wrapper(*raw: Any) -> Any:
            bound = arguments(raw)
            return await fn(*bound.args, **bound.kwargs)

        wrapper = async_wrapper
    else:

        def sync_wrapper(*raw: Any) -> Any:
            bound = arguments(raw)
            return fn(*bound.args, **bound.kwargs)

        wrapper = sync_wrapper
    wrapper.__name__ = getattr(fn, "__name__", name)
    wrapper.__qualname__ = getattr(fn, "__qualname__", name)
    wrapper.__doc__ = fn.__doc__
    wrapper.__module__ = fn.__module__
    setattr(wrapper, "__dsl_function__", fn)  # noqa: B010 - the original, for signature checks
    return activity.defn(name=name)(wrapper)


class ActivityRegistry:
    """Activities by name. The worker runs exactly what is registered here."""

    def __init__(self) -> None:
        self._functions: dict[str, Callable[..., Any]] = {}
        self._activities: dict[str, Callable[..., Any]] = {}

    @overload
    def register(self, fn: F, *, name: str | None = None) -> F: ...

    @overload
    def register(self, fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...

    def register(self, fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
        """Register ``fn`` under ``name`` (default: the function's name). Returns ``fn`` unchanged, so it can
        still be called directly."""

        def apply(func: F) -> F:
            activity_name = name or func.__name__
            existing = self._functions.get(activity_name)
            # The same function again (or reloaded from its module) is fine; another one is not.
            if existing is not None and (existing.__module__, existing.__qualname__) != (
                func.__module__, func.__qualname__
            ):
                raise DuplicateActivityError(
                    f"activity {activity_name!r} is already registered by "
                    f"{existing.__module__}.{existing.__qualname__}"
                )
            self._functions[activity_name] = func
            self._activities[activity_name] = _as_activity(func, activity_name)
            return func

        return apply(fn) if fn is not None else apply

    def update(self, other: ActivityRegistry) -> None:
        """Add every activity of ``other``."""
        for activity_name, func in other._functions.items():
            self.register(func, name=activity_name)

    def names(self) -> list[str]:
        return sorted(self._functions)

    def function(self, name: str) -> Callable[..., Any] | None:
        """The original Python function registered as ``name``."""
        return self._functions.get(name)

    def activities(self) -> list[Callable[..., Any]]:
        """Temporal activity callables to give a worker."""
        return list(self._activities.values())

    def has_sync(self) -> bool:
        return any(not inspect.iscoroutinefunction(f) for f in self._functions.values())

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def __len__(self) -> int:
        return len(self._functions)
