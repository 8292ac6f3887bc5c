"""Entry points: run a definition offline and collect an :class:`OfflineResult`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tdsl.dsl_schema.catalog import CatalogEntry, child_definition_names
from tdsl.dsl_schema.compile import compile_data
from tdsl.dsl_schema.durations import DurationError, parse_duration
from tdsl.dsl_schema.expressions import ExpressionError, render
from tdsl.dsl_schema.models import Definition
from tdsl.dsl_schema.payloads import validate_payload

from ..core import RunFailedAfterCompensation, RunPayload
from ..errors import DefinitionFailedAtRun

if TYPE_CHECKING:
    from tdsl.dsl_schema.catalog import Catalog
from .clock import VirtualLoop, resolve
from .results import Activities, OfflineHandlerCall, OfflineResult, Queries, Signals
from .runtime import HandlerFailedInWorkflow, OfflineRun, World, round_trip
from .trace import Trace

DefinitionLike = CatalogEntry | Definition | Mapping[str, Any] | str


def _definition(
    definition: DefinitionLike, catalog: Catalog | None
) -> tuple[dict[str, Any], Definition, dict[str, Any] | None]:
    if isinstance(definition, str):
        entry = catalog.get(definition) if catalog is not None else None
        if entry is None:
            known = ", ".join(catalog.names()) if catalog is not None else "no catalog given"
            raise ValueError(f"unknown definition {definition!r} (known: {known})")
        definition = entry
    if isinstance(definition, CatalogEntry):
        return dict(definition.data), definition.definition, definition.source
    if isinstance(definition, Definition):
        return definition.model_dump(mode="json", by_alias=True, exclude_none=True), definition, None
    data = dict(definition)
    # The one compile pipeline, as the catalog compiles (activities are mocks here: their names and
    # signatures are the test's business).
    names = frozenset(catalog.names()) if catalog is not None else None
    compiled = compile_data(data, catalog_names=names)
    if compiled.definition is None:
        problems = "; ".join(f"{d.json_path}: {d.code} {d.message}" for d in compiled.errors)
        raise DefinitionFailedAtRun(f"invalid definition: {problems}")
    return data, compiled.definition, None


def _children(data: dict[str, Any], catalog: Catalog | None) -> dict[str, dict[str, Any]]:
    """Pinned catalog entries of every definition the run may start as a child, transitively."""
    found: dict[str, dict[str, Any]] = {}
    if catalog is None:
        return found
    pending = sorted(child_definition_names(data))
    while pending:
        entry = catalog.get(pending.pop())
        if entry is None or entry.name in found:
            continue
        found[entry.name] = entry.pinned()
        pending.extend(sorted(child_definition_names(entry.data)))
    return found


def _workflow_id(definition: Definition, input: Any) -> str:
    if not definition.id:
        return f"{definition.name}-offline"
    try:
        return str(render(definition.id, {"input": input}))
    except ExpressionError as err:
        raise DefinitionFailedAtRun(f"id: {err}", expression=definition.id) from None


def _seconds(at: float | str) -> float:
    try:
        return parse_duration(at)
    except DurationError as err:
        raise ValueError(f"signal time {at!r}: {err}") from None


def _answer(root: OfflineRun, call: OfflineHandlerCall) -> None:
    """Send a query or update to the run now and record the answer, as a client would see it."""
    try:
        if call.kind == "query":
            call.result = root.query(call.name, call.payload)
        else:
            try:
                root.core.validate_update(call.name, round_trip(call.payload))
            except HandlerFailedInWorkflow as err:
                call.outcome, call.error = "rejected", _error(err)
                return
            call.result = round_trip(root.core.update(call.name, round_trip(call.payload)))
    except HandlerFailedInWorkflow as err:
        call.outcome, call.error = "failed", _error(err)
        return
    call.outcome = "answered"


def _error(err: HandlerFailedInWorkflow) -> dict[str, Any]:
    return dict(err.record())


def _handler_calls(kind: str, scheduled: Queries) -> list[OfflineHandlerCall]:
    calls = []
    for entry in scheduled:
        at, name, *rest = entry
        calls.append(OfflineHandlerCall(kind, name, rest[0] if rest else None, _seconds(at)))
    return calls


async def _drive(
    world: World,
    root: OfflineRun,
    signals: Signals,
    cancel_at: float | str | None,
    handler_calls: list[OfflineHandlerCall],
) -> OfflineResult:
    loop = world.loop
    main = loop.create_task(root.run())
    world.tasks.append(main)
    for scheduled in signals:
        at, name, *rest = scheduled
        loop.call_at(_seconds(at), root.signal, name, rest[0] if rest else None)
    for call in handler_calls:
        loop.call_at(call.at, _answer, root, call)
    if cancel_at is not None:
        loop.call_at(_seconds(cancel_at), main.cancel)
    stall: asyncio.Future[None] = loop.create_future()

    def on_stall() -> None:
        resolve(stall, None)

    loop.on_stall = on_stall
    pending_waits: list[dict[str, Any]] | None = None
    # Wait for the run and the children it started without waiting; a stall cancels the run (once).
    while pending := [task for task in world.tasks if not task.done()]:
        stall = loop.create_future()
        await asyncio.wait([*pending, stall], return_when=asyncio.FIRST_COMPLETED)
        if not stall.done():
            continue
        if main.done() or pending_waits is not None:
            break  # only abandoned children are blocked, or the run is blocked even while cancelling
        pending_waits = [dict(wait) for wait in root.interp.state.progress.pending_waits]
        main.cancel()
    loop.on_stall = None
    for call in handler_calls:  # due after the run closed: a worker still answers queries (not updates)
        if call.outcome == "pending" and call.kind == "query" and root.core.setup_error is None:
            _answer(root, call)
    for task in world.tasks:  # a child started without waiting may have failed: its outcome is its own
        if task.done() and not task.cancelled():
            task.exception()

    interp = root.interp
    result = OfflineResult(
        status="completed",
        workflow_id=root.runtime.workflow_id,
        calls=world.calls,
        compensations=list(interp.saga.executed),
        elapsed=loop.time(),
        vars=interp.state.vars,
        signals=interp.state.signals,
        ignored_signals=interp.state.ignored_signals,
        pending_waits=pending_waits or [],
        runs=root.runtime.run_number,
        details=root.runtime.details,
        queries=[call for call in handler_calls if call.kind == "query"],
        updates=[call for call in handler_calls if call.kind == "update"],
    )
    if pending_waits is not None:
        result.status = "stalled"
    elif not main.done() or main.cancelled():
        result.status = "cancelled"
    elif isinstance(main.exception(), RunFailedAfterCompensation):
        failed = main.exception()
        assert isinstance(failed, RunFailedAfterCompensation)
        result.status, result.error, result.failure = "failed", failed.error, str(failed)
        result.compensations = list(failed.compensations)
    else:
        result.output = round_trip(main.result())  # raises what escaped the interpreter (a bug), if any
    return result


def run_offline_sync(
    definition: DefinitionLike,
    input: Any = None,
    *,
    activities: Activities,
    signals: Signals = (),
    queries: Queries = (),
    updates: Queries = (),
    catalog: Catalog | None = None,
    workflow_id: str | None = None,
    start_time: datetime | None = None,
    cancel_at: float | str | None = None,
    continue_as_new_after: int | None = None,
    task_queue: str = "offline",
    validate_input: bool = True,
    trace: Trace | None = None,
) -> OfflineResult:
    """Run ``definition`` (a catalog entry, a definition, its data, or a name in ``catalog``) to its end on
    a virtual clock and return the :class:`OfflineResult`.

    ``activities``: a mapping of activity name to callable, or an activity registry. ``signals``:
    ``(at, name)`` or ``(at, name, payload)``, ``at`` in virtual seconds from the start (or a duration text).
    ``queries`` and ``updates``: ``(at, name)`` or ``(at, name, argument)``, sent at those virtual times and
    answered exactly as a worker answers them (``OfflineResult.queries``/``updates``: the results, rejected
    updates and errors; ``__progress`` is the built-in query).
    ``catalog`` provides child definitions (and the definition itself when given by name). ``workflow_id``
    defaults to the definition's ``id`` template rendered with the input. ``start_time`` is the virtual
    clock's origin (timezone-aware; now by default). ``cancel_at`` cancels the run at that virtual time.
    ``continue_as_new_after`` makes the engine suggest continue-as-new once a run made that many activity
    calls, timers and child starts. The input is checked against the definition's schema first
    (:class:`~tdsl.dsl_schema.payloads.PayloadError`) unless ``validate_input`` is false. ``trace``
    records the steps the run (and its children) went through, for coverage.
    """
    data, model, source = _definition(definition, catalog)
    if validate_input:
        validate_payload(model.input, input, f"input of {model.name!r}")
    payload = RunPayload(definition=data, input=input, children=_children(data, catalog), source=source)
    origin = start_time or datetime.now(UTC)
    if origin.tzinfo is None:
        raise ValueError("start_time must be timezone-aware")
    loop = VirtualLoop()
    world = World(loop, activities, origin, task_queue, continue_as_new_after)
    world.trace = trace
    try:
        root = OfflineRun(world, workflow_id or _workflow_id(model, input), payload)
        if root.core.setup_error is not None:
            raise DefinitionFailedAtRun(root.core.setup_error)
        calls = _handler_calls("query", queries) + _handler_calls("update", updates)
        calls.sort(key=lambda call: call.at)
        return loop.run_until_complete(_drive(world, root, signals, cancel_at, calls))
    finally:
        _close(world)


def _close(world: World) -> None:
    """Cancel what still runs (abandoned children) without calling activities any more, then close."""
    loop = world.loop
    world.closed = True
    try:
        leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftover:
            task.cancel()
        if leftover:
            # Bounded in virtual time: a task that ignores its cancellation cannot keep the loop open.
            loop.run_until_complete(asyncio.wait(leftover, timeout=3600))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


async def run_offline(
    definition: DefinitionLike,
    input: Any = None,
    *,
    activities: Activities,
    signals: Signals = (),
    queries: Queries = (),
    updates: Queries = (),
    catalog: Catalog | None = None,
    workflow_id: str | None = None,
    start_time: datetime | None = None,
    cancel_at: float | str | None = None,
    continue_as_new_after: int | None = None,
    task_queue: str = "offline",
    validate_input: bool = True,
    trace: Trace | None = None,
) -> OfflineResult:
    """:func:`run_offline_sync` from async code. The run gets its own virtual-time event loop in a thread, so
    async mocks run on that loop (not the caller's)."""
    return await asyncio.to_thread(
        run_offline_sync,
        definition,
        input,
        activities=activities,
        signals=signals,
        queries=queries,
        updates=updates,
        catalog=catalog,
        workflow_id=workflow_id,
        start_time=start_time,
        cancel_at=cancel_at,
        continue_as_new_after=continue_as_new_after,
        task_queue=task_queue,
        validate_input=validate_input,
        trace=trace,
    )
