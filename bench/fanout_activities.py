"""The no-op activity of ``fanout_bench.py`` (loaded by its worker process as ``--activity-module``)."""

from __future__ import annotations

from tdsl.activities import ActivityRegistry, register

REGISTRY = ActivityRegistry()


@register
async def noop(item: int) -> int:
    """Do nothing: the benchmark measures what the engine costs per item."""
    return item


REGISTRY.register(noop)
