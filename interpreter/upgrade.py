"""The run's side of an upgrade: taking an offer of an edited definition, and moving to it at a safe point.

A client (:mod:`tdsl.server.upgrade`) checks an edited definition against the one a run is pinned to and
offers it to the run as the update :data:`UPGRADE_UPDATE`. The run validates the offer against where it is
*now* (:meth:`Upgrade.validate`): the offer names the top-level step index the client checked and a digest of
the definition it compared with, so a run that moved on, or moved to another definition, since rejects
it. An accepted offer is only recorded; the run keeps executing its own definition until its next **safe
point** (before a top-level step starts, after the last one, or between two iterations of a top-level
``while``), where it continues as new (same workflow id) with the new definition, the state it carries
(:class:`~tdsl.interpreter.payload.ResumeState`: variables, step results, buffered signals, the saga stack
as recorded calls) and the upgrade history, which the new run's memo and progress show.

No command of a run changes unless an offer was accepted: the update handler adds no command, and the
continue-as-new happens only after an accepted upgrade. Workflow-safe: plain data and ``hashlib``/``json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tdsl.errors import RunError

from .payload import PinnedChild, ResumeState, RunPayload

__all__ = ["UPGRADE_UPDATE", "Offer", "Upgrade", "UpgradeRejected", "definition_digest"]

UPGRADE_UPDATE = "__tdsl_upgrade"
"""The update a client offers an edited definition with (never declared by a definition)."""


def definition_digest(data: Mapping[str, Any]) -> str:
    """A digest of a definition as plain data (key order ignored): what the client compared the offer with."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class UpgradeRejected(RunError):
    """The run refuses an offer (its validator's answer; the message says why in the DSL's terms)."""


@dataclass
class Offer:
    """An edited definition offered to a run, and what the client checked it against."""

    definition: dict[str, Any]
    expect_step_index: int
    """The top-level step index the run was at when the client checked (running it, or about to)."""
    expect_digest: str
    """:func:`definition_digest` of the definition the client compared the offer with."""
    version: Any = None
    sha256: str | None = None
    from_version: Any = None
    from_sha256: str | None = None
    source: dict[str, Any] | None = None
    children: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    """The memo entries of the new definition (``definition``, ``version``, ``sha256``, ``commit``...)."""

    def to_data(self) -> dict[str, Any]:
        """The update payload (what :meth:`from_data` reads)."""
        return {
            "definition": self.definition,
            "source": self.source,
            "children": self.children,
            "version": self.version,
            "sha256": self.sha256,
            "memo": self.memo,
            "from": {"version": self.from_version, "sha256": self.from_sha256},
            "expect": {"step_index": self.expect_step_index, "digest": self.expect_digest},
        }

    @classmethod
    def from_data(cls, data: Any) -> Offer:
        """The offer in an update payload; :class:`UpgradeRejected` when it is not one."""
        if not isinstance(data, Mapping):
            raise UpgradeRejected("the upgrade offer must be an object")
        expect = data.get("expect")
        definition = data.get("definition")
        if not isinstance(definition, dict) or not isinstance(expect, Mapping):
            raise UpgradeRejected("the upgrade offer needs 'definition' and 'expect' (where it was checked)")
        index, digest = expect.get("step_index"), expect.get("digest")
        if not isinstance(index, int) or not isinstance(digest, str):
            raise UpgradeRejected("the upgrade offer's 'expect' needs 'step_index' and 'digest'")
        raw_origin = data.get("from")
        origin: Mapping[str, Any] = raw_origin if isinstance(raw_origin, Mapping) else {}
        return cls(
            definition=definition,
            expect_step_index=index,
            expect_digest=digest,
            version=data.get("version"),
            sha256=data.get("sha256"),
            from_version=origin.get("version"),
            from_sha256=origin.get("sha256"),
            source=data.get("source") if isinstance(data.get("source"), dict) else None,
            children=dict(data.get("children") or {}),
            memo=dict(data.get("memo") or {}),
        )


class Upgrade:
    """One run's upgrade state: where it is among its top-level steps, the accepted offer waiting for the
    next safe point, and the upgrades of the run's earlier segments (carried across continue-as-new)."""

    def __init__(self, history: list[dict[str, Any]] | None = None, step_index: int = 0) -> None:
        self.history: list[dict[str, Any]] = list(history or [])
        self.step_index = step_index
        """The top-level step running now, or the next to start (``len(steps)`` after the last)."""
        self.pending: Offer | None = None
        self.moved: dict[str, Any] | None = None
        """The record of the move, once the run continues as new with the offer."""

    def validate(self, offer_data: Any, payload: RunPayload, status: str) -> Offer:
        """The offer, if this run may take it now; :class:`UpgradeRejected` saying why not."""
        offer = Offer.from_data(offer_data)
        name = payload.definition.get("name")
        if offer.definition.get("name") != name:
            raise UpgradeRejected(
                f"the offered definition is {offer.definition.get('name')!r}, this run runs {name!r}"
            )
        if payload.fragment is not None:
            raise UpgradeRejected("a foreach batch is not upgraded on its own (its parent run is)")
        if self.pending is not None:
            raise UpgradeRejected("an upgrade is already waiting for this run's next safe point")
        if status != "running":
            raise UpgradeRejected(f"the run is {status}; it takes no upgrade")
        if definition_digest(payload.definition) != offer.expect_digest:
            raise UpgradeRejected(
                "the run no longer runs the definition the offer was checked against (it moved since)"
            )
        if offer.expect_step_index != self.step_index:
            raise UpgradeRejected(
                f"the run moved past the point the offer was checked at: it is at top-level step "
                f"{self.step_index}, the offer was checked at step {offer.expect_step_index}"
            )
        return offer

    def accept(self, offer: Offer) -> dict[str, Any]:
        """Record an accepted offer; the run moves at its next safe point."""
        self.pending = offer
        return {"accepted": True, "step_index": self.step_index}

    def move(
        self,
        payload: RunPayload,
        resume: ResumeState,
        *,
        at_step: str,
        when: str,
        run_id: str | None,
    ) -> RunPayload:
        """The input of the run that continues this one with the pending offer's definition."""
        offer = self.pending
        assert offer is not None
        record = {
            "from": {"version": offer.from_version, "sha256": offer.from_sha256},
            "to": {"version": offer.version, "sha256": offer.sha256},
            "at_step": at_step,
            "step_index": resume.step_index,
            "iteration": next(iter(resume.iterations.values()), None),
            "at": when,
            "from_run_id": run_id,
        }
        self.moved = record
        resume.upgrades = [*self.history, record]
        children: dict[str, PinnedChild | Mapping[str, Any]] = (
            dict(offer.children) if offer.children else dict(payload.children)
        )
        return RunPayload(offer.definition, payload.input, children, None, resume, offer.source)

    def memo(self, current: Mapping[str, Any]) -> dict[str, Any] | None:
        """The memo of the continued run after a move: the new definition's entries and the upgrade history
        (``None``: no move, the memo stays)."""
        offer = self.pending
        if offer is None or self.moved is None:
            return None
        kept = {k: v for k, v in current.items() if k not in ("version", "sha256", "commit", "source_state")}
        return {**kept, **offer.memo, "upgrades": [*self.history, self.moved]}

    def progress(self) -> dict[str, Any]:
        """What the built-in progress query shows of upgrades."""
        pending = self.pending
        return {
            "step_index": self.step_index,
            "pending": None if pending is None else {"version": pending.version, "sha256": pending.sha256},
            "history": list(self.history),
        }
