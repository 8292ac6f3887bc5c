"""The client side of Temporal DSL: the embeddable engine, the HTTP service, the command line.

Public API (imported on first use, so ``import server.config`` stays light)::

    from server import TemporalEngine, create_app, load_settings
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RunService", "Settings", "TemporalEngine", "create_app", "load_settings"]

_WHERE = {
    "RunService": "server.runs",
    "Settings": "server.config",
    "TemporalEngine": "server.engine",
    "create_app": "server.http",
    "load_settings": "server.config",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'server' has no attribute {name!r}")
