"""The activity registry: Python functions that definitions call by name.

Importing this package registers nothing. A module registers its activities with :func:`register`; the
configuration (``activity_modules``) and ``--activity-module`` name the modules a worker, the engine and the
linter load (:func:`load_modules`). The example activities used by ``definitions/`` are one such module,
:mod:`tdsl.activities.examples`, loaded only when named.
"""

from .idempotency import idempotency_key
from .modules import (
    EXAMPLES,
    ActivityModuleError,
    ModuleActivities,
    load_modules,
    module_activities,
    register,
)
from .registry import ActivityRegistry, DuplicateActivityError

default_registry = module_activities
"""The former name of :data:`module_activities`."""

__all__ = [
    "EXAMPLES",
    "ActivityModuleError",
    "ActivityRegistry",
    "DuplicateActivityError",
    "ModuleActivities",
    "default_registry",
    "idempotency_key",
    "load_modules",
    "module_activities",
    "register",
]
