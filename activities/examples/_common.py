"""Shared helpers of the example activities."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from temporalio import activity


def stable_id(prefix: str, *parts: Any) -> str:
    """A deterministic id for the same run and arguments (examples stand in for idempotent services)."""
    run = activity.info().workflow_id if activity.in_activity() else ""
    digest = hashlib.sha256(json.dumps([run, *parts], sort_keys=True, default=str).encode()).hexdigest()
    return f"{prefix}_{digest[:12]}"
