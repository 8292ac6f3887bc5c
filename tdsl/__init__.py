"""Temporal DSL: declarative YAML workflows run by one generic Temporal workflow.

The public API, importable from the top::

    from tdsl import TemporalEngine, create_app, load_settings, register

Subpackages: :mod:`tdsl.dsl_schema` (the language: schema, models, loader, linter), :mod:`tdsl.interpreter`
(the generic workflow), :mod:`tdsl.activities` (the activity registry; the example activities are
:mod:`tdsl.activities.examples`) and
:mod:`tdsl.server` (engine, worker, HTTP service, command line).

Names are imported on first use: ``import tdsl`` stays cheap (the command line and the workflow sandbox import
it) and loads neither FastAPI nor the Temporal client until asked.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .activities.modules import register
    from .activities.registry import ActivityRegistry
    from .server.config import Settings, load_settings
    from .server.engine import TemporalEngine
    from .server.http import create_app

__all__ = ["ActivityRegistry", "Settings", "TemporalEngine", "create_app", "load_settings", "register"]

_WHERE = {
    "ActivityRegistry": "tdsl.activities.registry",
    "register": "tdsl.activities.modules",
    "Settings": "tdsl.server.config",
    "load_settings": "tdsl.server.config",
    "TemporalEngine": "tdsl.server.engine",
    "create_app": "tdsl.server.http",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tdsl' has no attribute {name!r}")
