"""Checked upgrades of open runs to an edited definition (docs/UPGRADE.md).

::

    check     Position, Verdict, check_upgrade   the static check: old and new definition, step by step
    proof     prove                              the replay proof: the run's history against the new one
    service   Upgrader, RunUpgrade               select runs, check, prove, offer, report

The run's side (the update ``__tdsl_upgrade``, its validator, the move at a safe point) is
:mod:`tdsl.interpreter.upgrade`.
"""

from __future__ import annotations

from .check import Position, Verdict, check_upgrade
from .service import RunUpgrade, Upgrader

__all__ = ["Position", "RunUpgrade", "Upgrader", "Verdict", "check_upgrade"]
