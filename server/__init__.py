"""The client side of Temporal DSL: the embeddable engine, the HTTP service, the command line.

Public API (imported on first use, so ``import server.config`` stays light)::

    from tdsl.server import TemporalEngine, create_app, load_settings
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RunService", "Settings", "TemporalEngine", "create_app", "load_settings"]

_WHERE = {
    "RunService": "tdsl.server.runs",
    "Settings": "tdsl.server.config",
    "TemporalEngine": "tdsl.server.engine",
    "create_app": "tdsl.server.http",
    "load_settings": "tdsl.server.config",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tdsl.server' has no attribute {name!r}")
