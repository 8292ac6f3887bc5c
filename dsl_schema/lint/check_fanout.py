"""Checks of fan-out size: a ``foreach`` whose item count is known from the definition and whose collected
results cannot fit in a Temporal payload (see ``MAX_RESULTS_BYTES``).

The count is known when ``items`` is a literal list or ``{{ range(N) }}`` (optionally ``| list``) with a
literal ``N``. Every result takes at least two bytes of JSON (``0,``), so past half the limit a
``collect: all`` loop is certain to fail with ``ResultTooLarge`` (E140); from :data:`LARGE_FANOUT` items on it
is likely to (W140).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic
from ..kinds.foreach import MAX_RESULTS_BYTES
from .context import LintContext
from .outline import StepInfo

LARGE_FANOUT = 100_000
"""Items from which collecting every result is likely to pass the limit (7 bytes each at 100,000)."""

_RANGE = re.compile(r"\{\{\s*range\(\s*(\d{1,12})\s*\)\s*(?:\|\s*list\s*)?\}\}")


def known_count(items: Any) -> int | None:
    """How many items ``items`` gives, when the definition alone says it."""
    if isinstance(items, list):
        return len(items)
    if isinstance(items, str):
        match = _RANGE.fullmatch(items.strip())
        if match:
            return int(match.group(1))
    return None


def check_foreach(ctx: LintContext, info: StepInfo) -> Iterator[Diagnostic]:
    spec = info.data.get("foreach")
    if not isinstance(spec, dict) or spec.get("collect", "all") != "all":
        return
    count = known_count(spec.get("items"))
    if count is None:
        return
    where = (*info.path, "foreach", "items")
    if count * 2 > MAX_RESULTS_BYTES:
        yield ctx.at(where, "E140",
                     f"foreach over {count:,} items collects every result: at least {count * 2:,} bytes, "
                     f"over the {MAX_RESULTS_BYTES:,} a step may keep (Temporal refuses payloads over 2 MB); "
                     "add `collect: summary` to keep the counts and failed items only")
    elif count >= LARGE_FANOUT:
        yield ctx.at(where, "W140",
                     f"foreach over {count:,} items collects every result, likely more than the "
                     f"{MAX_RESULTS_BYTES:,} bytes a step may keep (the run would fail with ResultTooLarge); "
                     "add `collect: summary` unless each result is a few bytes")
