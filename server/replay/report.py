"""Replay results as text (for people), JSON (for scripts) or JUnit XML (for CI test reports)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.etree import ElementTree

from .replaying import ReplayOutcome

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "junit")


def _text(outcomes: Sequence[ReplayOutcome]) -> str:
    lines = []
    for outcome in outcomes:
        what = f"{outcome.source}  [{outcome.workflow_type}]"
        if outcome.divergence is None:
            lines.append(f"OK    {what}")
            continue
        lines.append(f"FAIL  {what}")
        lines.append(f"      {outcome.divergence.explain()}")
        if outcome.divergence.history is not None or outcome.divergence.code is not None:
            lines.append(f"      temporal: {outcome.divergence.message}")
    failed = sum(1 for o in outcomes if not o.ok)
    lines.append(
        f"{len(outcomes)} histor{'y' if len(outcomes) == 1 else 'ies'}: "
        f"{len(outcomes) - failed} replay, {failed} diverge{'s' if failed == 1 else ''}"
    )
    return "\n".join(lines)


def _json(outcomes: Sequence[ReplayOutcome]) -> str:
    failed = sum(1 for o in outcomes if not o.ok)
    document = {
        "histories": [o.as_dict() for o in outcomes],
        "summary": {"total": len(outcomes), "replayed": len(outcomes) - failed, "diverged": failed},
    }
    return json.dumps(document, indent=2)


def _junit(outcomes: Sequence[ReplayOutcome]) -> str:
    failed = sum(1 for o in outcomes if not o.ok)
    suite = ElementTree.Element(
        "testsuite", name="tdsl replay", tests=str(len(outcomes)), failures=str(failed), errors="0"
    )
    for outcome in outcomes:
        case = ElementTree.SubElement(
            suite, "testcase", classname=outcome.workflow_type or "replay", name=outcome.source
        )
        if outcome.divergence is not None:
            failure = ElementTree.SubElement(case, "failure", message=outcome.divergence.explain())
            failure.text = outcome.divergence.message
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode")


def render(outcomes: Sequence[ReplayOutcome], format: str = "text") -> str:
    """The report of ``outcomes`` in ``format`` (one of :data:`FORMATS`)."""
    return {"text": _text, "json": _json, "junit": _junit}[format](outcomes)
