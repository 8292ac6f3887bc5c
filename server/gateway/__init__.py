"""The one gateway between Temporal DSL and Temporal's client API, split by concern.

::

    starting     RunStarter      what can be started, the checks before a start, the start itself
    inspecting   RunInspector    describe, status (+ progress), outcome/result, list, history, start input
    messaging    RunMessenger    signal, query, update, cancel, terminate
    pinned       PinnedDefinition and the declaration checks of signals, queries and updates

Only ``starting`` needs the catalog (and so the definitions folder and the activity registry). Inspecting and
messaging address an existing run: they never read definitions from disk; a run's signals, queries and updates
are checked against the definition the run is pinned to (it travels in the run's start input).

:class:`~tdsl.server.runs.RunService` is the facade the engine, the HTTP service and ``tdsl run`` use;
the run-addressing CLI verbs use :class:`RunInspector` and :class:`RunMessenger` directly, which are the
objects the facade delegates to. Modules are imported on first use so that importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inspecting import RunInspector
    from .messaging import RunMessenger
    from .pinned import PinnedDefinition
    from .starting import RunStarter

__all__ = ["PinnedDefinition", "RunInspector", "RunMessenger", "RunStarter"]

_WHERE = {
    "PinnedDefinition": "tdsl.server.gateway.pinned",
    "RunInspector": "tdsl.server.gateway.inspecting",
    "RunMessenger": "tdsl.server.gateway.messaging",
    "RunStarter": "tdsl.server.gateway.starting",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tdsl.server.gateway' has no attribute {name!r}")
