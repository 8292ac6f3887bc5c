"""Activities every DSL worker registers by itself, so definitions can use them without any activity module:
``tdsl.http`` (the ``http`` step, :mod:`.http`).

An activity registry that registers one of these names itself keeps its own (a worker that must send
requests through a proxy, say); see :func:`builtin_activities`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from tdsl.dsl_schema.kinds.http import ACTIVITY_NAME as HTTP_ACTIVITY

from ..registry import ActivityRegistry

__all__ = ["HTTP_ACTIVITY", "builtin_activities", "builtin_registry"]


@cache
def builtin_registry() -> ActivityRegistry:
    """The built-in activities, by name (imported on first use: httpx is not needed before)."""
    from .http import http_request

    registry = ActivityRegistry()
    registry.register(http_request, name=HTTP_ACTIVITY)
    return registry


def builtin_activities(registry: ActivityRegistry) -> list[Callable[..., Any]]:
    """The Temporal activities of the built-ins that ``registry`` does not register under their names."""
    builtins = builtin_registry()
    missing = ActivityRegistry()
    for name in builtins.names():
        function = builtins.function(name)
        if name not in registry and function is not None:
            missing.register(function, name=name)
    return missing.activities()
