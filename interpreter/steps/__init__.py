"""One handler per step kind, behind a registry keyed by the step's model class.

A handler is ``async def handler(interp, step, frame, path) -> result``; the result becomes ``steps.<id>``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..core import Interpreter
    from ..state import Frame

Handler = Callable[["Interpreter", Any, "Frame", str], Awaitable[Any]]
_HANDLERS: dict[type, Handler] = {}
H = TypeVar("H", bound=Handler)


def handles(model: type) -> Callable[[H], H]:
    """Register the decorated coroutine as the handler of ``model`` steps."""

    def register(func: H) -> H:
        _HANDLERS[model] = func
        return func

    return register


def handler_for(step: Any) -> Handler:
    return _HANDLERS[type(step)]


from . import (  # noqa: E402  - modules register their handlers on import
    activity,
    assign,
    block,
    child,
    control,
    foreach,
    http,
    parallel,
    signals,
    terminal,
    trycatch,
    wait,
)

__all__ = [
    "activity",
    "assign",
    "block",
    "child",
    "control",
    "foreach",
    "handler_for",
    "handles",
    "http",
    "parallel",
    "signals",
    "terminal",
    "trycatch",
    "wait",
]
