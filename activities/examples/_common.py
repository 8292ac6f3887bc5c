"""Shared helpers of the example activities."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from temporalio import activity

from tdsl.activities.idempotency import idempotency_key


def stable_id(prefix: str, *parts: Any) -> str:
    """A deterministic id for the same run and arguments (examples stand in for idempotent services)."""
    run = activity.info().workflow_id if activity.in_activity() else ""
    digest = hashlib.sha256(json.dumps([run, *parts], sort_keys=True, default=str).encode()).hexdigest()
    return f"{prefix}_{digest[:12]}"


class Effects:
    """What a real service remembers by idempotency key: the outcome of each request it carried out, so a
    request that arrives again (an activity run twice after a worker crash) gets the same answer and has no
    second effect. In-process, like the rest of the examples."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: dict[str, Any] = {}

    def key(self) -> str | None:
        """The idempotency key of the activity running now (``None`` outside an activity)."""
        return idempotency_key() if activity.in_activity() else None

    def seen(self, key: str | None) -> Any:
        """The outcome recorded for ``key``, or ``None`` when the request is new."""
        with self._lock:
            return None if key is None else self._done.get(key)

    def remember(self, key: str | None, outcome: Any) -> None:
        if key is not None:
            with self._lock:
                self._done[key] = outcome


effects = Effects()
