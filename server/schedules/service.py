"""``ScheduleService``: declared schedules reconciled to Temporal Schedules, and the operations on them.

``apply`` compares each declared schedule with the server (the declaration it was last applied from travels
with it, see :mod:`.desired`) and creates, updates or leaves it; with ``prune`` it also deletes the schedules
tdsl owns on this task queue whose definition or entry no longer exists (a definition with errors is not
gone: its schedules are kept). A dry run reports the same plan and changes nothing.

Everything a declared schedule starts is checked first, as a start is (input, activities), so one bad entry
fails the whole ``apply`` before anything changes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    ScheduleAlreadyRunningError,
    ScheduleBackfill,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from ..errors import EngineError, InvalidInput, TemporalRefused
from ..run_errors import did_you_mean, rpc_error
from ..runs import RunService
from .desired import DECLARED_FIELDS, DECLARED_HEADER, DesiredSchedule, desired_schedule
from .errors import UnknownSchedule
from .ids import MEMO_KEY, ScheduleRef, owned_prefix, resolve
from .plan import ScheduleChange, SchedulePlan

__all__ = ["ScheduleService"]

log = logging.getLogger("temporal_dsl.schedules")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class ScheduleService:
    """Apply declared schedules and operate the schedules tdsl owns on the run service's task queue."""

    def __init__(self, runs: RunService) -> None:
        self.runs = runs

    @property
    def client(self) -> Client:
        return self.runs.client

    @property
    def task_queue(self) -> str:
        return self.runs.task_queue

    # ------------------------------------------------------------------ declared
    def _header(self, value: Any) -> Payload:
        return self.client.data_converter.payload_converter.to_payloads([value])[0]

    def _declaration_of(self, description: ScheduleDescription) -> dict[str, Any] | None:
        headers = getattr(description.schedule.action, "headers", None) or {}
        payload = headers.get(DECLARED_HEADER)
        if payload is None:
            return None
        try:
            found = self.client.data_converter.payload_converter.from_payloads([payload])[0]
        except Exception:  # a header written by something else: treat the schedule as undeclared
            return None
        return found if isinstance(found, dict) else None

    def desired(self) -> dict[str, DesiredSchedule]:
        """Every schedule the catalog's definitions declare, by schedule id, checked like a start."""
        found: dict[str, DesiredSchedule] = {}
        for entry in sorted(self.runs.catalog.entries.values(), key=lambda e: e.name):
            for name, decl in (entry.definition.schedules or {}).items():
                try:
                    wanted = desired_schedule(self.runs.starter, entry, name, decl, self._header)
                except InvalidInput as err:
                    raise InvalidInput(f"schedule {name!r} of {entry.name!r}: {err.message}",
                                       err.errors) from None
                found[wanted.id] = wanted
        return found

    # ------------------------------------------------------------------ apply
    async def apply(self, *, prune: bool = False, dry_run: bool = False) -> SchedulePlan:
        """Create, update (and with ``prune`` delete) schedules until the server matches the declarations;
        with ``dry_run`` only report what would change."""
        plan = SchedulePlan(applied=not dry_run)
        desired = self.desired()
        for wanted in desired.values():
            plan.changes.append(await self._reconcile(wanted, dry_run))
        if prune:
            catalog = self.runs.catalog
            # A definition with errors is not gone: by name when its YAML parsed, else by its file's name.
            refused = {*catalog.refused, *(PurePath(file).stem for file in catalog.invalid)}
            for ref in await self._owned_refs():
                if ref.id in desired or ref.definition in refused:
                    continue
                plan.changes.append(ScheduleChange("delete", ref.id, ref.definition, ref.name))
                if not dry_run:
                    await self._delete_quietly(self.client.get_schedule_handle(ref.id))
        return plan

    async def _reconcile(self, wanted: DesiredSchedule, dry_run: bool) -> ScheduleChange:
        handle = self.client.get_schedule_handle(wanted.id)
        description = await self._describe(handle)
        if description is None:
            if not dry_run:
                try:
                    await self.client.create_schedule(wanted.id, wanted.schedule, memo=wanted.memo)
                except ScheduleAlreadyRunningError:
                    # Another worker applying at the same time created it: its declaration is ours.
                    log.info("schedule %s was created concurrently", wanted.id)
                except RPCError as err:
                    raise self._refused(err, wanted.id) from None
            return ScheduleChange("create", wanted.id, wanted.definition, wanted.name)
        current = self._declaration_of(description)
        fields = tuple(f for f in DECLARED_FIELDS if current is None or current.get(f) != wanted.declared[f])
        if not fields:
            return ScheduleChange("unchanged", wanted.id, wanted.definition, wanted.name)
        if not dry_run:
            await self._update(handle, wanted, keep_state="paused" not in fields and "note" not in fields)
        return ScheduleChange("update", wanted.id, wanted.definition, wanted.name, fields)

    async def _update(self, handle: ScheduleHandle, wanted: DesiredSchedule, keep_state: bool) -> None:
        async def updater(update: ScheduleUpdateInput) -> ScheduleUpdate:
            schedule = wanted.schedule
            if keep_state:
                # Paused or unpaused by an operator since: only a change of the declaration overrides that.
                schedule = dataclasses.replace(schedule, state=update.description.schedule.state)
            return ScheduleUpdate(schedule=schedule)

        try:
            await handle.update(updater)
        except RPCError as err:
            raise self._refused(err, wanted.id) from None

    async def _describe(self, handle: ScheduleHandle) -> ScheduleDescription | None:
        try:
            return await handle.describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise self._refused(err, handle.id) from None

    async def _delete_quietly(self, handle: ScheduleHandle) -> None:
        try:
            await handle.delete()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:  # deleted meanwhile: the plan holds
                raise self._refused(err, handle.id) from None

    @staticmethod
    def _refused(err: RPCError, schedule_id: str) -> EngineError:
        found = rpc_error(err, schedule_id)
        if isinstance(found, TemporalRefused | InvalidInput):
            found.message = f"schedule {schedule_id!r}: {found.message}"
        return found

    async def _owned_refs(self) -> list[ScheduleRef]:
        """The schedules tdsl owns on this task queue, as the server's visibility lists them (a schedule
        created a moment ago may be missing)."""
        prefix = owned_prefix(self.task_queue)
        refs: list[ScheduleRef] = []
        try:
            async for listed in await self.client.list_schedules():
                if not listed.id.startswith(prefix):
                    continue
                memo = await listed.memo()
                owner = memo.get(MEMO_KEY) if isinstance(memo, dict) else None
                if isinstance(owner, dict) and owner.get("task_queue") == self.task_queue:
                    refs.append(ScheduleRef(listed.id, owner.get("definition"), owner.get("schedule")))
        except RPCError as err:
            raise self._refused(err, prefix) from None
        return sorted(refs, key=lambda r: r.id)

    # ------------------------------------------------------------------ operations
    async def list_schedules(self) -> list[dict[str, Any]]:
        """The schedules tdsl owns on this task queue, with their state and next and recent starts."""
        found = []
        for ref in await self._owned_refs():
            description = await self._describe(self.client.get_schedule_handle(ref.id))
            if description is not None:
                found.append(self._summary(ref, description))
        return found

    async def describe(self, name: str) -> dict[str, Any]:
        """One schedule (its id, or ``definition:schedule``): state, declaration, next and recent starts."""
        ref, _, description = await self._owned(name)
        summary = self._summary(ref, description)
        summary["declared"] = self._declaration_of(description)
        return summary

    def _summary(self, ref: ScheduleRef, description: ScheduleDescription) -> dict[str, Any]:
        state = description.schedule.state
        info = description.info
        return {
            "id": ref.id,
            "definition": ref.definition,
            "schedule": ref.name,
            "paused": state.paused,
            "note": state.note or None,
            "actions": info.num_actions,
            "next_starts": [_iso(t) for t in info.next_action_times[:5]],
            "recent_runs": [
                {"scheduled_at": _iso(a.scheduled_at), "started_at": _iso(a.started_at),
                 "workflow_id": getattr(a.action, "workflow_id", None)}
                for a in info.recent_actions
            ],
        }

    async def _owned(self, name: str) -> tuple[ScheduleRef, ScheduleHandle, ScheduleDescription]:
        ref = resolve(name, self.task_queue)
        handle = self.client.get_schedule_handle(ref.id)
        description = await self._describe(handle)
        if description is None:
            declared = sorted(f"{d.definition}:{d.name}" for d in self._declared_quietly())
            raise UnknownSchedule(f"no schedule {name!r} on task queue {self.task_queue!r}"
                                  f"{did_you_mean(name, declared)}")
        memo = await description.memo()
        owner = memo.get(MEMO_KEY) if isinstance(memo, dict) else None
        if not isinstance(owner, dict) or owner.get("task_queue") != self.task_queue:
            raise UnknownSchedule(f"schedule {ref.id!r} is not one tdsl created on task queue "
                                  f"{self.task_queue!r}")
        return ScheduleRef(ref.id, owner.get("definition"), owner.get("schedule")), handle, description

    def _declared_quietly(self) -> list[DesiredSchedule]:
        try:
            return list(self.desired().values())
        except EngineError:
            return []

    async def _act(self, name: str, action: Callable[[ScheduleHandle], Any]) -> dict[str, Any]:
        ref, handle, _ = await self._owned(name)
        try:
            await action(handle)
        except RPCError as err:
            raise self._refused(err, ref.id) from None
        return await self.describe(ref.id)

    async def pause(self, name: str, note: str | None = None) -> dict[str, Any]:
        """Pause a schedule (``note`` says why); returns its description."""
        return await self._act(name, lambda h: h.pause(note=note or "paused with tdsl"))

    async def unpause(self, name: str, note: str | None = None) -> dict[str, Any]:
        """Unpause a schedule; returns its description."""
        return await self._act(name, lambda h: h.unpause(note=note or "unpaused with tdsl"))

    async def trigger(self, name: str) -> dict[str, Any]:
        """Start a run now, as the schedule would (its overlap policy applies); returns its description
        (the run shows in ``recent_runs`` once the server has started it)."""
        return await self._act(name, lambda h: h.trigger())

    async def backfill(self, name: str, start: datetime, end: datetime) -> dict[str, Any]:
        """Start the runs the schedule would have started between ``start`` and ``end`` (every one, even
        if they overlap); returns its description."""
        if end <= start:
            raise InvalidInput("the backfill must end after it starts",
                               [{"path": "end", "message": f"{end} <= {start}", "validator": "minimum"}])
        window = ScheduleBackfill(start_at=start, end_at=end, overlap=ScheduleOverlapPolicy.ALLOW_ALL)
        return await self._act(name, lambda h: h.backfill(window))

    async def delete(self, name: str) -> dict[str, Any]:
        """Delete a schedule (runs it started go on). A declared schedule comes back at the next apply."""
        ref, handle, _ = await self._owned(name)
        await self._delete_quietly(handle)
        return {"id": ref.id, "definition": ref.definition, "schedule": ref.name, "deleted": True}
