"""The semantic checks: every family run over one document, and the catalog's checker built from them.

Warnings can be silenced on their line with a comment ``# lint: ignore[W800]`` (several codes separated by
commas). Errors cannot: an invalid definition must never be started.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..catalog import Checker
from ..diagnostics import Diagnostic
from ..loader import LoadedDocument
from ..models import Definition
from . import check_activities, check_expressions, check_messages, check_saga, check_steps, check_values
from .context import ActivityLookup, LintContext
from .outline import outline

# Order matters: the expression checks record the signals and variables that check_messages reads.
FAMILIES: tuple[Callable[[LintContext], None], ...] = (
    check_steps.check,
    check_expressions.check,
    check_activities.check,
    check_messages.check,
    check_values.check,
    check_saga.check,
)

_IGNORE = re.compile(r"#\s*lint:\s*ignore\[([A-Z0-9,\s]+)\]")


def semantic_diagnostics(
    doc: LoadedDocument, registry: ActivityLookup | None = None, catalog_names: frozenset[str] | None = None
) -> list[Diagnostic]:
    """Every semantic problem of ``doc``. Without ``registry`` activities are not checked; without
    ``catalog_names`` child definitions are not."""
    ctx = LintContext(doc, outline(doc.data), registry, catalog_names)
    for family in FAMILIES:
        family(ctx)
    return sorted(_unsuppressed(ctx.found, doc.text))


def _unsuppressed(found: list[Diagnostic], text: str) -> list[Diagnostic]:
    if "lint:" not in text:
        return found
    lines = text.splitlines()
    kept = []
    for diagnostic in found:
        source = lines[diagnostic.line - 1] if 1 <= diagnostic.line <= len(lines) else ""
        match = _IGNORE.search(source)
        codes = {c.strip() for c in match.group(1).split(",")} if match else set()
        if diagnostic.severity == "warning" and diagnostic.code in codes:
            continue
        kept.append(diagnostic)
    return kept


def semantic_checker(registry: ActivityLookup | None) -> Checker:
    """The checker :meth:`tdsl.dsl_schema.catalog.Catalog.load` runs on every valid definition."""

    def check(doc: LoadedDocument, definition: Definition, catalog_names: frozenset[str] | None
              ) -> Iterable[Diagnostic]:
        return semantic_diagnostics(doc, registry, catalog_names)

    return check
