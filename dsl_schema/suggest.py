"""The closest known name to a misspelt one, for the "did you mean" hints of every error message.

Each layer words its own hint (the linter ``"; did you mean 'x'?"``, the run service
``" (did you mean 'x'?)"``); they all pick the name here, so a typo gets the same suggestion everywhere.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["closest_name"]


def closest_name(name: str, candidates: Iterable[Any]) -> str | None:
    """The candidate (as text) most similar to ``name``, ``None`` when none is similar enough.

    Candidates are deduplicated and sorted first; the pick does not depend on their order (ties go to the
    greatest name), so callers may pass any iterable, keys of a mapping included.
    """
    close = difflib.get_close_matches(name, sorted({str(c) for c in candidates}), n=1, cutoff=0.6)
    return close[0] if close else None
