"""The semantic checks: every family of checks run over one document (the ``check`` phase of
:mod:`tdsl.dsl_schema.compile`).

Warnings can be silenced on their line with a comment ``# lint: ignore[W800]`` (several codes separated by
commas). Errors cannot: an invalid definition must never be started.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from ..diagnostics import Diagnostic
from ..loader import LoadedDocument
from . import (
    check_activities,
    check_errors,
    check_expressions,
    check_http,
    check_messages,
    check_saga,
    check_schedules,
    check_steps,
    check_values,
)
from .context import ActivityLookup, LintContext
from .outline import outline

# Order matters: the expression checks record the signals and variables that check_messages reads.
FAMILIES: tuple[Callable[[LintContext], Iterable[Diagnostic]], ...] = (
    check_steps.check,
    check_expressions.check,
    check_activities.check,
    check_http.check,
    check_messages.check,
    check_values.check,
    check_saga.check,
    check_schedules.check,
    check_errors.check,
)

_IGNORE = re.compile(r"#\s*lint:\s*ignore\[([A-Z0-9,\s]+)\]")


def semantic_diagnostics(
    doc: LoadedDocument, registry: ActivityLookup | None = None, catalog_names: frozenset[str] | None = None
) -> Iterator[Diagnostic]:
    """Every semantic problem of ``doc``, family by family. Without ``registry`` activities are not checked;
    without ``catalog_names`` child definitions are not."""
    ctx = LintContext(doc, outline(doc.data), registry, catalog_names)
    ignored = _ignored(doc.text)
    for family in FAMILIES:
        for diagnostic in family(ctx):
            if diagnostic.severity == "warning" and diagnostic.code in ignored.get(diagnostic.line, ()):
                continue
            yield diagnostic


def _ignored(text: str) -> dict[int, set[str]]:
    """Warning codes silenced on each line (``# lint: ignore[W800]``)."""
    if "lint:" not in text:
        return {}
    found: dict[int, set[str]] = {}
    for number, source in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(source)
        if match:
            found[number] = {c.strip() for c in match.group(1).split(",")}
    return found
