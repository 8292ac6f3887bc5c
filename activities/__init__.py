"""Activity registry and example activities.

``register`` is the decorator of the default registry; importing this package registers the example
activities used by the definitions in ``definitions/`` (payments, inventory, email, reminders, travel,
approvals, data batches). They are deterministic stand-ins that record what they did in :data:`ledger`.
"""

from . import approvals, data, inventory, notifications, payments, travel
from .ledger import Entry, Ledger, ledger
from .registry import ActivityRegistry, DuplicateActivityError, default_registry, load_modules, register
from .simulation import SimulatedFailure

__all__ = [
    "ActivityRegistry",
    "DuplicateActivityError",
    "Entry",
    "Ledger",
    "SimulatedFailure",
    "approvals",
    "data",
    "default_registry",
    "inventory",
    "ledger",
    "load_modules",
    "notifications",
    "payments",
    "register",
    "travel",
]
