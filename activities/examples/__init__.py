"""The example activities used by the definitions in ``definitions/``: payments, inventory, email, reminders,
travel, approvals and data batches. Importing this module registers them (it is the default
``activity_modules`` entry). They are deterministic stand-ins that record what they did in :data:`ledger`.
"""

from . import approvals, data, inventory, notifications, payments, travel
from .ledger import Entry, Ledger, ledger
from .simulation import SimulatedFailure

__all__ = [
    "Entry",
    "Ledger",
    "SimulatedFailure",
    "approvals",
    "data",
    "inventory",
    "ledger",
    "notifications",
    "payments",
    "travel",
]
