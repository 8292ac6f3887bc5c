"""Activities for the scale-out test, run by worker processes: every execution and every effect is written to
one SQLite file (``TDSL_TEST_EFFECTS``) that the test reads.

``executions`` gets a row per attempt (at least once: a call running when its worker is killed runs again);
``effects`` is keyed by the call's idempotency key, as a real service would, so a call that runs twice takes
effect once (the test checks every effect happened exactly once).
"""

from __future__ import annotations

import os
import sqlite3
import time

from tdsl.activities import idempotency_key, register

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (key TEXT, kind TEXT, item INTEGER, pid INTEGER);
CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, kind TEXT, item INTEGER);
"""


def _connect() -> sqlite3.Connection:
    db = sqlite3.connect(os.environ["TDSL_TEST_EFFECTS"], timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


def _do(kind: str, item: int, seconds: float) -> dict[str, object]:
    key = idempotency_key()
    db = _connect()
    try:
        db.execute("INSERT INTO executions VALUES (?, ?, ?, ?)", (key, kind, item, os.getpid()))
        time.sleep(seconds)  # a service call
        applied = db.execute("INSERT OR IGNORE INTO effects VALUES (?, ?, ?)", (key, kind, item)).rowcount
    finally:
        db.close()
    return {"item": item, "applied": bool(applied)}


@register
def apply_item(item: int, seconds: float = 0.0) -> dict[str, object]:
    """Apply one item's change (once per idempotency key)."""
    return _do("apply", item, seconds)


@register
def undo_item(item: int, seconds: float = 0.0) -> dict[str, object]:
    """Undo one item's change: the compensation of ``apply_item`` (once per idempotency key)."""
    return _do("undo", item, seconds)
