"""Plain functions and a code-defined workflow that calls them by reference (registered per test)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue


def shout(text: str) -> str:
    """A sync activity (runs in the worker's thread pool)."""
    return text.upper() + "!"


async def whisper(text: str) -> str:
    """An async activity."""
    return text.lower() + "..."


@workflow.defn
class Megaphone:
    """Calls both activities by function reference, as the usage guide's workflows do."""

    @workflow.run
    async def run(self, text: str) -> dict[str, Any]:
        loud = await workflow.execute_activity(
            shout, args=[text], start_to_close_timeout=timedelta(seconds=10)
        )
        soft = await workflow.execute_activity(
            whisper, args=[text], start_to_close_timeout=timedelta(seconds=10)
        )
        return {"loud": loud, "soft": soft}


class Plain:
    """Not a workflow."""


@workflow.defn(dynamic=True)
class AnyName:
    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> None:
        return None


@workflow.defn(name="Megaphone")
class Impostor:
    @workflow.run
    async def run(self) -> None:
        return None
