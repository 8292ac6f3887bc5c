"""The static check of an upgrade: may a run, at its position, move from its pinned definition to another?

The rule (docs/UPGRADE.md): a run moves only at a safe point, and only when everything it has executed or is
executing is unchanged in the new definition. With ``k`` the top-level step the run is running now (or about
to start):

* every top-level step before ``k`` must be structurally equal in both definitions (the validated models,
  so only layout and comments may differ);
* step ``k`` must be equal too, and the run moves after it ends (before step ``k + 1``, or after the last
  step, where only ``output`` is left); unless step ``k`` is a ``while`` that keeps its label: then the run
  moves between two iterations and the iterations still to come run the new loop;
* what applies to the steps that already ran must be unchanged: ``defaults`` (their activity options) and
  the ``signals`` declarations (buffered payloads were checked against them); the run's input must match
  the new ``input`` schema.

Everything else may change (later steps, queries, updates, ``output``, ``failure_output``, new signals):
it applies from the move on. The compensations already recorded are carried as recorded calls, so a changed
``compensate`` only applies to steps that complete after the move. Plain data in, a :class:`Verdict` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tdsl.dsl_schema.models import Definition, WhileStep, step_kind
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.dsl_schema.source_map import locate

__all__ = ["Position", "Verdict", "check_upgrade", "label"]


@dataclass(frozen=True)
class Position:
    """Where a run is, as its progress query says: the top-level step it is at, its status, and the signals
    it holds in its buffer."""

    step_index: int
    status: str = "running"
    pending_signals: tuple[str, ...] = ()
    upgrade_pending: bool = False

    @classmethod
    def from_progress(cls, progress: Mapping[str, Any]) -> Position | None:
        """The position in a built-in progress answer (``None``: the worker knows no upgrades)."""
        upgrade = progress.get("upgrade")
        if not isinstance(upgrade, Mapping) or not isinstance(upgrade.get("step_index"), int):
            return None
        return cls(
            step_index=upgrade["step_index"],
            status=str(progress.get("status")),
            pending_signals=tuple(progress.get("pending_signals") or ()),
            upgrade_pending=upgrade.get("pending") is not None,
        )


@dataclass(frozen=True)
class Verdict:
    """The answer of the static check. ``move_index`` is the first top-level step the new definition runs
    (a ``while`` it resumes), ``moves_at`` says where in words."""

    compatible: bool
    reason: str | None = None
    step: str | None = None
    file: str | None = None
    line: int | None = None
    moves_at: str | None = None
    move_index: int | None = None
    between_iterations: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "compatible": self.compatible, "reason": self.reason, "step": self.step, "file": self.file,
            "line": self.line, "moves_at": self.moves_at,
        }


def label(step: Any, index: int) -> str:
    """A top-level step's name as progress and source maps say it: its id, else ``<kind>#<index>``."""
    return step.id or f"{step_kind(step)}#{index}"


def _where(source: Any, path: str) -> tuple[str | None, int | None]:
    found = locate(source, path)
    return (found[0], found[1]) if found else (None, None)


def _refuse(reason: str, step: str | None, source: Any) -> Verdict:
    file, line = _where(source, step) if step else (None, None)
    where = f" ({file}:{line})" if file and line else ""
    return Verdict(False, reason.replace("{where}", where), step, file, line)


def check_upgrade(
    old: Definition,
    old_source: Any,
    new: Definition,
    new_source: Any,
    position: Position,
    run_input: Any,
) -> Verdict:
    """Whether a run of ``old`` at ``position`` may move to ``new``; see the module docstring."""
    if new.name != old.name:
        return _refuse(f"the new definition is {new.name!r}, the run's is {old.name!r}", None, None)
    if position.status != "running":
        return _refuse(f"the run is {position.status}; only a running run moves", None, None)
    if position.upgrade_pending:
        return _refuse("an upgrade is already waiting for the run's next safe point", None, None)
    errors = schema_errors(new.input, run_input)
    if errors:
        listed = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
        return _refuse(f"the run's input does not match the new input schema ({listed})", None, None)
    if old.defaults != new.defaults:
        return _refuse("'defaults' changed; they already applied to the steps that ran", None, None)
    for name, declared in (old.signals or {}).items():
        if (new.signals or {}).get(name) != declared:
            change = "removed" if name not in (new.signals or {}) else "changed"
            held = " and the run holds one" if name in position.pending_signals else ""
            return _refuse(
                f"signal {name!r} {change}{held}; payloads already taken were checked against it", None, None
            )
    k = position.step_index
    old_steps, new_steps = old.steps, new.steps
    for index in range(min(k + 1, len(old_steps))):
        before = old_steps[index]
        name = label(before, index)
        after = new_steps[index] if index < len(new_steps) else None
        if after is not None and after == before:
            continue
        running = index == k
        if running and isinstance(before, WhileStep) and isinstance(after, WhileStep):
            if label(after, index) == name:
                return Verdict(
                    True, moves_at=f"{name} (between two iterations)", move_index=index,
                    between_iterations=True,
                )
            return _refuse(
                f"loop {name!r} is running and was renamed to {label(after, index)!r}{{where}}; "
                "it must keep its label to resume", label(after, index), new_source,
            )
        when = "has already started" if running else "has already run"
        if after is None:
            return _refuse(f"step {name!r} was removed{{where}} and {when}", name, old_source)
        new_name = label(after, index)
        what = f"step {name!r} changed" if new_name == name else f"step {name!r} became {new_name!r}"
        return _refuse(f"{what}{{where}} and {when}", new_name, new_source)
    if k < len(old_steps) and isinstance(old_steps[k], WhileStep):
        # An unchanged loop: the run still moves at its next iteration (or after it, when it ends first).
        return Verdict(
            True, moves_at=f"{label(old_steps[k], k)} (between two iterations)", move_index=k,
            between_iterations=True,
        )
    move_index = min(k + 1, len(old_steps))
    if move_index > len(new_steps):
        return _refuse("the new definition has fewer steps than the run has already run", None, None)
    moves_at = (
        f"before step {label(new_steps[move_index], move_index)!r}" if move_index < len(new_steps)
        else "after the last step"
    )
    return Verdict(True, moves_at=moves_at, move_index=move_index)
