"""Offering the current definition of NAME to its open runs: select, check, prove, offer, report.

For each selected run (every open run of NAME, those a visibility query selects, or one run):

1. the static check (:mod:`.check`) compares the definition the run is pinned to (its start input) with the
   catalog's, at the run's position (its built-in progress query);
2. the replay proof (:mod:`.proof`) replays the run's history against the new definition;
3. unless it is a dry run, the offer goes to the run as the update ``__tdsl_upgrade``, whose validator
   rejects it when the run moved past the position the client checked (or to another definition) since;
   an accepted offer moves the run at its next safe point (:mod:`tdsl.interpreter.upgrade`).

Each run gets a :class:`RunUpgrade`: ``compatible`` / ``incompatible`` (dry run), ``moved`` / ``refused`` /
``rejected`` (by the run), or ``current`` when it already runs this very definition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from tdsl.dsl_schema.models import Definition
from tdsl.dsl_schema.source_map import locate
from tdsl.interpreter.upgrade import UPGRADE_UPDATE, Offer, definition_digest

from ..errors import EngineError, UnknownRun
from ..run_errors import quote, rpc_error
from .check import Position, Verdict, check_upgrade
from .proof import ProofCase, proof_definition, prove

if TYPE_CHECKING:
    from tdsl.dsl_schema.catalog import CatalogEntry

    from ..runs import RunService

__all__ = ["RunUpgrade", "Upgrader"]


@dataclass(frozen=True)
class RunUpgrade:
    """What the upgrade did (or, in a dry run, would do) to one run."""

    workflow_id: str
    run_id: str
    status: str
    """``compatible``, ``incompatible``, ``moved``, ``refused``, ``rejected`` or ``current``."""
    reason: str | None = None
    step: str | None = None
    file: str | None = None
    line: int | None = None
    moves_at: str | None = None
    from_version: Any = None
    from_sha256: str | None = None
    to_version: Any = None
    to_sha256: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id, "run_id": self.run_id, "status": self.status,
            "reason": self.reason, "step": self.step, "file": self.file, "line": self.line,
            "moves_at": self.moves_at,
            "from": {"version": self.from_version, "sha256": self.from_sha256},
            "to": {"version": self.to_version, "sha256": self.to_sha256},
        }

    def describe(self) -> str:
        """One line for people."""
        text = f"{self.workflow_id}: {self.status}"
        if self.moves_at and self.status in ("compatible", "moved"):
            text += f", moves {self.moves_at}"
        if self.reason:
            text += f": {self.reason}"
        return text


@dataclass
class _Candidate:
    report: RunUpgrade
    old: dict[str, Any]
    position: Position
    verdict: Verdict
    history: Any = None


class Upgrader:
    """Offer the catalog's definitions to open runs, checked; see the module docstring."""

    def __init__(self, runs: RunService) -> None:
        self.runs = runs
        self.inspector = runs.inspector

    async def upgrade(
        self, name: str, *, dry_run: bool = False, query: str | None = None, run_id: str | None = None
    ) -> list[RunUpgrade]:
        """Offer the catalog's definition ``name`` to its open runs (all of them, those ``query`` selects, or
        the one ``run_id`` names: a workflow id or a run id); one report per run, in selection order."""
        entry = self.runs.definition(name)
        targets = await self._select(name, query, run_id)
        reports: list[RunUpgrade] = []
        candidates: list[_Candidate] = []
        for workflow_id, current_run in targets:
            try:
                found = await self._check(entry, workflow_id, current_run, dry_run)
            except EngineError as err:  # the run closed or vanished since it was listed: it is not moved
                status = "incompatible" if dry_run else "refused"
                reports.append(RunUpgrade(workflow_id, current_run, status, reason=err.message))
                continue
            if isinstance(found, RunUpgrade):
                reports.append(found)
            else:
                reports.append(found.report)
                candidates.append(found)
        proofs = await prove([
            ProofCase(
                c.report.run_id, c.history,
                proof_definition(c.old, entry.data, c.verdict.move_index or 0, c.verdict.between_iterations),
                entry.source,
            )
            for c in candidates
        ])
        by_run = {c.report.run_id: c for c in candidates}
        final: list[RunUpgrade] = []
        for report in reports:
            candidate = by_run.get(report.run_id)
            if candidate is None:
                final.append(report)
                continue
            if report.run_id not in proofs:  # never moved without its proof
                final.append(replace(report, status="incompatible" if dry_run else "refused",
                                     reason="its history could not be replayed"))
                continue
            divergence = proofs[report.run_id]
            if divergence is not None:
                where = locate(entry.source, divergence.step) if divergence.step else None
                final.append(replace(
                    report, status="incompatible" if dry_run else "refused",
                    reason=f"its history does not replay against the new definition: {divergence.explain()}",
                    step=divergence.step, file=where[0] if where else None, line=where[1] if where else None,
                ))
            elif dry_run:
                final.append(report)
            else:
                final.append(await self._offer(entry, candidate))
        return final

    # ------------------------------------------------------------------ selection
    async def _select(self, name: str, query: str | None, run_id: str | None) -> list[tuple[str, str]]:
        """(workflow id, run id) of the open runs of ``name`` the caller means."""
        if run_id:
            try:
                info = await self.inspector.info(run_id)  # a workflow id: no visibility lag
                if info.workflow_type == name and info.status.is_open:
                    return [(info.workflow_id, info.run_id or "")]
                return []
            except UnknownRun:
                pass
        clauses = [f"WorkflowType = '{quote(name)}'", "ExecutionStatus = 'Running'"]
        if run_id:
            clauses.append(f"RunId = '{quote(run_id)}'")
        if query:
            clauses.append(f"({query})")
        found: list[tuple[str, str]] = []
        try:
            async for execution in self.runs.client.list_workflows(" AND ".join(clauses)):
                found.append((execution.id, execution.run_id))
        except RPCError as err:
            raise rpc_error(err, "") from None
        return found

    # ------------------------------------------------------------------ static check
    async def _check(
        self, entry: CatalogEntry, workflow_id: str, run_id: str, dry_run: bool
    ) -> RunUpgrade | _Candidate:
        info = await self.inspector.info(workflow_id)
        base = RunUpgrade(
            workflow_id, info.run_id or "", "", from_version=info.version, from_sha256=info.sha256,
            to_version=entry.version, to_sha256=entry.sha256,
        )
        refused = "incompatible" if dry_run else "refused"
        if info.workflow_type != entry.name:
            return replace(base, status=refused, reason=f"the run is a run of {info.workflow_type!r}")
        if info.run_id != run_id or not info.status.is_open:
            why = "the run continued as new or closed since it was listed"
            return replace(base, status=refused, reason=why)
        args = await self.inspector.start_input(workflow_id, info.run_id)
        start = args[0] if args and isinstance(args[0], dict) else {}
        old_data = start.get("definition")
        if not isinstance(old_data, dict):
            return replace(base, status=refused, reason="the run carries no definition")
        if start.get("fragment") is not None:
            return replace(base, status=refused, reason="a foreach batch moves only with its parent run")
        if info.sha256 == entry.sha256 or definition_digest(old_data) == definition_digest(entry.data):
            return replace(base, status="current", reason="the run already runs this definition")
        progress = await self.inspector.progress(workflow_id)
        position = Position.from_progress(progress) if progress else None
        if position is None:
            return replace(base, status=refused, reason="no worker answered with the run's position "
                                                        "(a worker of this release must serve the run)")
        try:
            old = Definition.model_validate(old_data)
        except ValidationError:
            why = "the run's definition does not validate with this release (it cannot be compared)"
            return replace(base, status=refused, reason=why)
        verdict = check_upgrade(old, start.get("source"), entry.definition, entry.source, position,
                                start.get("input"))
        if not verdict.compatible:
            return replace(base, status=refused, reason=verdict.reason, step=verdict.step,
                           file=verdict.file, line=verdict.line)
        history = await self.inspector.history(workflow_id, info.run_id)
        report = replace(base, status="compatible" if dry_run else "moved", moves_at=verdict.moves_at)
        return _Candidate(report, old_data, position, verdict, history)

    # ------------------------------------------------------------------ the offer
    def offer(self, entry: CatalogEntry, candidate: _Candidate) -> dict[str, Any]:
        """The update payload the run validates (see :class:`tdsl.interpreter.upgrade.Offer`)."""
        report = candidate.report
        return Offer(
            definition=entry.data,
            expect_step_index=candidate.position.step_index,
            expect_digest=definition_digest(candidate.old),
            version=entry.version,
            sha256=entry.sha256,
            from_version=report.from_version,
            from_sha256=report.from_sha256,
            source=entry.source,
            children=self.runs.catalog.children_of(entry.name),
            memo=entry.memo(),
        ).to_data()

    async def _offer(self, entry: CatalogEntry, candidate: _Candidate) -> RunUpgrade:
        report = candidate.report
        handle = self.inspector.handle(report.workflow_id, report.run_id)
        try:
            await handle.execute_update(UPGRADE_UPDATE, self.offer(entry, candidate))
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(cause or err)
            return replace(report, status="rejected", reason=reason)
        except RPCError as err:
            return replace(report, status="rejected", reason=f"the run did not take the offer: {err.message}")
        return report
