"""Idempotency keys: a stable name for every activity call, readable inside the activity.

Temporal runs activities at least once: an activity (or a compensation) that was running when its worker died
runs again on another worker, and a retry after a timeout may overlap a slow first attempt. A service that is
told the same key twice can do the work once. The key of a call is ``<workflow id>/<first run id>/<step
path>`` (for example ``order-1001/5f0c…/payment``, ``booking-9/82ad…/flight.compensate``,
``…/notify[1234]/send``): the same for every attempt and every replay of that call, also after a
continue-as-new (the first run id is the chain's), and different for every other call (the path carries the
``foreach`` index and the ``while`` iteration) and for a later run that reuses the workflow id (which is a
new request, not a repeat).

The interpreter puts the key in a Temporal header of the activity task, not in its arguments, so activities
that do not care see nothing new and the commands a run issues are unchanged (headers take no part in replay).
:func:`idempotency_key` reads it inside the activity; outside a DSL run (a code workflow's activity, or a
task from before keys existed) it falls back to ``<workflow id>/<run id>/<activity id>``, also stable across
attempts. This module is the workflow side (workflow-safe: a context variable); the interceptors that move
the key into the header and out of it, and :func:`idempotency_key`, are in :mod:`tdsl.activities.idempotency`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["HEADER", "activity_key", "keyed", "running_key", "scheduling_key"]

HEADER = "tdsl-idempotency-key"
"""The activity task header that carries the key."""

_scheduling: ContextVar[str | None] = ContextVar("tdsl_scheduling_key", default=None)
"""The key of the activity the workflow is scheduling right now (set around ``workflow.start_activity``)."""


@contextmanager
def keyed(key: str | None) -> Iterator[None]:
    """Schedule the activities started inside with ``key``."""
    token = _scheduling.set(key)
    try:
        yield
    finally:
        _scheduling.reset(token)


def scheduling_key() -> str | None:
    """The key of the activity being scheduled now (read by the workflow interceptor)."""
    return _scheduling.get()


_running: ContextVar[str | None] = ContextVar("tdsl_activity_key", default=None)
"""The key of the activity running in this context (set by the activity interceptor, or by offline runs)."""


@contextmanager
def activity_key(key: str | None) -> Iterator[None]:
    """Run the activity code inside with ``key`` as its idempotency key."""
    token = _running.set(key)
    try:
        yield
    finally:
        _running.reset(token)


def running_key() -> str | None:
    """The key of the activity running in this context, if a DSL run gave one."""
    return _running.get()
