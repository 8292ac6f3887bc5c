"""Errors of the schedule operations (a branch of the tree drawn in :mod:`tdsl.errors`)."""

from __future__ import annotations

from ..errors import NotFound

__all__ = ["UnknownSchedule"]


class UnknownSchedule(NotFound):
    """No schedule owned by tdsl on this task queue has this id (or ``definition:schedule`` name)."""
