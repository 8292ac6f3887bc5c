"""Activity modules: Python modules that register activities, named in the configuration or on the command
line.

::

    # my_activities.py
    from tdsl.activities import register

    @register
    async def cancel_hotel(reservation_id: str) -> None: ...

A module registers with :func:`register` (or on an engine, ``@engine.activities.register``). Every
registration is recorded under the module that made it, so :func:`load_modules` returns exactly the
activities of the modules it is given (and their submodules), whatever else the process has imported: the
linter, the worker and the engine see the same activities for the same module list, and two modules may
register the same name as long as they are not loaded together. The example activities are the module
``tdsl.activities.examples``; nothing is registered until a module is imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from tdsl.errors import ActivitiesError

from .registry import ActivityRegistry, DuplicateActivityError

F = TypeVar("F", bound=Callable[..., Any])

REGISTRY_PACKAGE = "tdsl.activities"
EXAMPLES = "tdsl.activities.examples"
"""The module of the example activities (the default ``activity_modules``)."""


class ActivityModuleError(ActivitiesError, ImportError):
    """An activity module could not be imported (or registered conflicting names); says which and why."""


# Frames of these modules are the registration machinery, not the module that registers.
_MACHINERY = {__name__, "tdsl.activities.registry"}


def registration_machinery(module: str) -> None:
    """Declare ``module`` a wrapper of :func:`register` (its frames are skipped when finding the module that
    registers; the engine's ``activities.register`` is one)."""
    _MACHINERY.add(module)


def _registering_module() -> str:
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name not in _MACHINERY:
            return str(name)
        frame = frame.f_back  # type: ignore[assignment]
    return "__main__"


class ModuleActivities:
    """Every activity registered with :func:`register` (or on an engine), by the module that registered it."""

    def __init__(self) -> None:
        self._by_module: dict[str, ActivityRegistry] = {}

    @overload
    def register(self, fn: F, *, name: str | None = None, replace: bool = False) -> F: ...

    @overload
    def register(
        self, fn: None = None, *, name: str | None = None, replace: bool = False
    ) -> Callable[[F], F]: ...

    def register(
        self, fn: F | None = None, *, name: str | None = None, replace: bool = False
    ) -> F | Callable[[F], F]:
        """Register ``fn`` under ``name`` (default: its name) for the calling module; returns ``fn``."""

        def apply(func: F) -> F:
            self.record(_registering_module(), func, name=name, replace=replace)
            return func

        return apply(fn) if fn is not None else apply

    def record(
        self, module: str, func: Callable[..., Any], *, name: str | None = None, replace: bool = False
    ) -> None:
        """Record ``func`` as registered by ``module``. One module cannot register two functions under one
        name (:class:`DuplicateActivityError`) unless ``replace``: the later one wins (a module may make
        several engines, each with its own activities)."""
        registry = self._by_module.setdefault(module, ActivityRegistry())
        activity_name = name or func.__name__
        existing = registry.function(activity_name)
        if replace and existing is not None and existing is not func:
            kept = ActivityRegistry()
            for other in registry.names():
                function = registry.function(other)
                if other != activity_name and function is not None:
                    kept.register(function, name=other)
            self._by_module[module] = registry = kept
        registry.register(func, name=name)

    def of(self, module: str) -> list[ActivityRegistry]:
        """The registrations of ``module`` and of its submodules."""
        prefix = f"{module}."
        return [reg for owner, reg in sorted(self._by_module.items())
                if owner == module or owner.startswith(prefix)]


module_activities = ModuleActivities()
"""The process-wide record :func:`register` writes to."""

register = module_activities.register
"""``@register`` / ``@register(name="...")``: register an activity for the calling module."""


def load_modules(modules: Iterable[str], into: ActivityRegistry | None = None) -> ActivityRegistry:
    """Import ``modules`` and return a registry of exactly their activities (added to ``into`` when given).

    Raises :class:`ActivityModuleError` naming the module that fails to import, or the two modules that
    register one name. ``tdsl.activities`` itself is the registry, not an activity module: naming it is an
    error that points at ``tdsl.activities.examples``.
    """
    modules = list(dict.fromkeys(modules))
    registry = into if into is not None else ActivityRegistry()
    owners: dict[str, str] = {}
    for module in modules:
        if module == REGISTRY_PACKAGE:
            raise ActivityModuleError(
                f"{REGISTRY_PACKAGE!r} is the activity registry and registers no activity; the example "
                f"activities are the module {EXAMPLES!r}"
            )
        try:
            importlib.import_module(module)
        except Exception as err:  # any error while importing user code: report it, not a traceback
            raise ActivityModuleError(
                f"cannot import activity module {module!r}: {type(err).__name__}: {err}"
            ) from err
        for found in module_activities.of(module):
            for name in found.names():
                function = found.function(name)
                assert function is not None
                if name in owners and registry.function(name) is not function:
                    raise ActivityModuleError(
                        f"activity modules {owners[name]!r} and {module!r} both register {name!r}"
                    )
                try:
                    registry.register(function, name=name)
                except DuplicateActivityError as err:
                    raise ActivityModuleError(f"activity module {module!r}: {err}") from err
                owners[name] = module
    return registry
