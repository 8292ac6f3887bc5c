"""The interpreter core: walks a definition's steps against a :class:`~tdsl.interpreter.runtime.Runtime`.

Step semantics live in :mod:`tdsl.interpreter.steps`, one small handler per step kind; this module provides
what they share: expression context, rendering with errors that name the step, progress, the saga, and the
run's outcome (output, failure output after compensation, or a failure).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from tdsl.dsl_schema.durations import DurationError, parse_duration, parse_timestamp
from tdsl.dsl_schema.expressions import ExpressionError, is_template, render
from tdsl.dsl_schema.models import Definition, RetriedStep, Step, step_kind
from tdsl.dsl_schema.payloads import schema_errors
from tdsl.dsl_schema.source_map import locate
from tdsl.errors import RunError

from .errors import ContinueAsNew, DefinitionFailedAtRun, RunEnded, StepFailed
from .options import retry_spec
from .payload import PinnedChild, ResumeState, RunPayload
from .retry import retrying
from .runtime import Runtime
from .saga import Saga
from .state import Frame, RunState
from .upgrade import Upgrade


def step_label(step: Any, index: int) -> str:
    """A step's name in progress reports and errors: its id, else ``<kind>#<index>``."""
    return step.id or f"{step_kind(step)}#{index}"


class Interpreter:
    """Runs one definition. Construct it once per run (or per continue-as-new segment)."""

    def __init__(self, runtime: Runtime, payload: RunPayload, definition: Definition) -> None:
        self.runtime = runtime
        self.payload = payload
        self.definition = definition
        resume = payload.resume
        self.state = RunState(definition=definition, input=payload.input, vars={})
        self.saga = Saga()
        self.resume_iteration: dict[str, int] = {}
        self.vars_error: DefinitionFailedAtRun | None = None
        self._run_info: dict[str, Any] | None = None
        self.upgrade = Upgrade(resume.upgrades, resume.step_index) if resume is not None else Upgrade()
        if resume is not None:
            self.state.vars = dict(resume.vars)
            self.state.root.steps = dict(resume.steps)
            self.state.signals = dict(resume.signals)
            self.state.signal_buffer = [(n, p) for n, p in resume.signal_buffer]
            self.state.progress.completed = list(resume.completed)
            self.state.progress.completed_count = resume.completed_count
            self.state.ignored_signals = list(resume.ignored_signals)
            self.resume_iteration = dict(resume.iterations)
            for record in resume.saga:
                self.saga.push_data(record)

    def prepare(self) -> None:
        """Give the run its initial variables (the definition's ``vars``, rendered). Called when the run is
        created, so signal, query and update handlers never see it half made; a resumed run and a batch
        bring their own. An error here fails the run when it starts executing."""
        if self.payload.resume is not None or self.payload.fragment is not None:
            return
        if not self.definition.vars:
            return  # nothing to render (no expression context to build either)
        try:
            self.state.vars = self.render(dict(self.definition.vars or {}), self.state.root, "vars")
        except DefinitionFailedAtRun as err:
            self.vars_error = err

    # ----------------------------------------------------------------- signals
    def accept_signal(self, name: str, decode: Callable[[], Any]) -> None:
        """Take a signal into the run: a declared one whose payload decodes and matches its schema is
        buffered for ``wait_for`` and visible as ``signals.<name>``; anything else is recorded in the
        ignored signals (progress shows them) and never fails the run."""
        state = self.state
        try:
            payload = decode()
        except Exception as err:  # an undecodable payload must never fail the run
            state.ignore_signal(name, "undecodable payload", error=str(err))
            return
        declared = self.definition.signals or {}
        if name not in declared:
            state.ignore_signal(name, "signal not declared")
            return
        errors = schema_errors(declared[name].schema_, payload)
        if errors:
            state.ignore_signal(name, "payload failed its schema", errors=errors)
            return
        state.signals[name] = payload
        state.signal_buffer.append((name, payload))

    # ----------------------------------------------------------------- expressions
    def context(self, frame: Frame, **extra: Any) -> dict[str, Any]:
        """What expressions see at ``frame``; ``extra`` adds names (``error``, ``payload``, ...)."""
        if self._run_info is None:
            # Fixed for the whole run (one interpreter per run and per continue-as-new segment)
            info = self.runtime.info()
            self._run_info = {
                "id": info.get("id"),
                "run_id": info.get("run_id"),
                "name": self.definition.name,
                "version": self.definition.version,
            }
        context: dict[str, Any] = {
            "input": self.state.input,
            "vars": self.state.vars,
            "steps": frame.visible_steps(),
            "signals": self.state.signals,
            # a new mapping each time: a rendered value may keep it, and ``now`` moves on
            "workflow": {**self._run_info, "now": self.runtime.now().isoformat()},
            "attempt": 1,  # the attempt of the enclosing retried block (a local inside one)
        }
        context.update(frame.visible_locals())
        context.update(extra)
        return context

    def render(self, value: Any, frame: Frame, step: str | None, **extra: Any) -> Any:
        """Render a template value; an expression failure becomes a :class:`DefinitionFailedAtRun` naming
        ``step``."""
        if type(value) is str and not is_template(value):
            return value  # plain text (a duration, a subject line): no context to build
        try:
            return render(value, self.context(frame, **extra))
        except ExpressionError as err:
            raise DefinitionFailedAtRun(str(err), step=step, expression=err.expression) from None

    def truthy(self, condition: str | bool, frame: Frame, step: str | None) -> bool:
        return bool(condition if isinstance(condition, bool) else self.render(condition, frame, step))

    def duration(self, value: Any, frame: Frame, step: str | None, what: str = "duration") -> float:
        rendered = self.render(value, frame, step) if isinstance(value, str) else value
        try:
            return parse_duration(rendered)
        except DurationError as err:
            raise DefinitionFailedAtRun(f"{what}: {err}", step=step) from None

    def timestamp(self, value: Any, frame: Frame, step: str | None) -> datetime:
        """Render and parse an ISO 8601 timestamp (naive values are UTC)."""
        rendered = self.render(value, frame, step)
        try:
            return parse_timestamp(rendered)
        except DurationError as err:
            raise DefinitionFailedAtRun(f"wait until: {err}", step=step) from None

    # ----------------------------------------------------------------- steps
    async def run_steps(self, steps: Sequence[Step], frame: Frame, path: str, start: int = 0) -> Any:
        """Run steps in order; return the last one's result. Before each top-level step and after the last,
        the run is at a safe point: an accepted upgrade continues it as new there."""
        result = None
        top_level = not path and frame is self.state.root and self.payload.fragment is None
        for index in range(start, len(steps)):
            if top_level:
                self.safe_point(index)
            result = await self.run_step(steps[index], index, frame, path)
        if top_level:
            self.safe_point(len(steps))
        return result

    def safe_point(self, step_index: int) -> None:
        """The run is between top-level steps: continue as new at ``step_index`` if an upgrade waits."""
        self.upgrade.step_index = step_index
        if self.upgrade.pending is not None:
            raise ContinueAsNew(step_index, {})

    async def run_step(self, step: Step, index: int, frame: Frame, path: str) -> Any:
        label = step_label(step, index)
        full_path = f"{path}/{label}" if path else label
        if step.if_ is not None and not self.truthy(step.if_, frame, full_path):
            if step.id is not None:
                frame.steps[step.id] = None  # a skipped step's result is none (not undefined)
            return None
        progress = self.state.progress
        progress.start(full_path)
        self.report()
        try:
            result, attempt = await self.run_handler(step, frame, full_path)
        except StepFailed as err:
            if err.step is None:
                err.step = full_path
            progress.finish(full_path, completed=False)
            raise
        except BaseException:
            progress.finish(full_path, completed=False)
            raise
        if "result" in step.model_fields_set:  # shaped: only what the template gives is kept
            try:
                shape = getattr(step, "result", None)
                retried = {} if attempt is None else {"attempt": attempt}
                result = self.render(shape, frame, full_path, result=result, **retried)
            except DefinitionFailedAtRun:
                progress.finish(full_path, completed=False)
                raise
        if step.id is not None:
            frame.steps[step.id] = result
        progress.finish(full_path)
        self.report()
        return result

    async def run_handler(self, step: Step, frame: Frame, path: str) -> tuple[Any, int | None]:
        """Run the step's handler: its result and the attempt that gave it (``None`` without retry). A step
        with a block ``retry:`` runs again as a whole when it fails (see :mod:`tdsl.interpreter.retry`), its
        steps seeing the attempt as ``attempt``."""
        handler = handler_for(step)
        policy = step.retry if isinstance(step, RetriedStep) else None
        if policy is None:
            return await handler(self, step, frame, path), None
        spec = retry_spec(policy, None, lambda value, what: self.duration(value, frame, path, what))
        tried = 0

        async def attempt_once(attempt: int) -> Any:
            nonlocal tried
            tried = attempt
            return await handler(self, step, frame.with_locals(attempt=attempt), path)

        result = await retrying(self, spec, path, attempt_once)
        return result, tried

    def report(self) -> None:
        """Tell the engine what the run is doing now (the Web UI shows it as the run's current details)."""
        self.runtime.set_details(self.state.progress.describe(self.state.status))

    def top_level_index(self, step: Step, frame: Frame) -> int | None:
        """The index of ``step`` among the definition's top-level steps when it runs in the root frame
        (only there can the run continue as new and resume at it), else ``None``."""
        if frame.parent is not None or self.payload.fragment is not None:
            return None
        return next((i for i, s in enumerate(self.definition.steps) if s is step), None)

    def continue_as_new_payload(self, step_index: int, iterations: dict[str, int]) -> RunPayload:
        """The input of the run this one continues as: the same payload plus the state to resume at top-level
        step ``step_index``. Built only once every signal and update handler has finished, so nothing they
        did is lost. With an accepted upgrade, the input carries the new definition instead."""
        resume = self.resume_snapshot(step_index, iterations)
        if self.upgrade.pending is None:
            return self.payload.with_parts(resume=resume)
        steps = self.definition.steps
        at_step = step_label(steps[step_index], step_index) if step_index < len(steps) else "(end)"
        at_step += "".join(f"[{iteration}]" for iteration in iterations.values())
        return self.upgrade.move(
            self.payload, resume, at_step=at_step, when=self.runtime.now().isoformat(),
            run_id=self.runtime.info().get("run_id"),
        )

    def child_entry(self, name: str) -> PinnedChild | None:
        """The pinned catalog entry of a child definition (a definition may also start itself)."""
        entry = self.payload.child(name) if name in self.payload.children else None
        if entry is None and name == self.definition.name:
            entry = PinnedChild(definition=self.payload.definition, version=self.definition.version)
        return entry

    # ----------------------------------------------------------------- the whole run
    async def execute_fragment(self) -> dict[str, Any]:
        """Run one batch of a parent's ``foreach`` (see :mod:`tdsl.interpreter.steps.foreach`). Compensations
        of the batch's items are handed back to the parent; they run here only when the batch itself fails on
        a definition error or is cancelled."""
        from .steps.foreach import run_fragment

        order = self.definition.compensation_order
        try:
            return await run_fragment(self)
        except DefinitionFailedAtRun as err:
            self.locate(err)
            raise RunFailedAfterCompensation(err, await self.saga.compensate(self.runtime, order)) from err
        except asyncio.CancelledError:
            # Cancelled (the parent failed or was cancelled): undo this batch's items, then let it stand.
            await self.saga.compensate(self.runtime, order)
            raise

    async def execute(self) -> Any:
        """Run the definition to its output. Failures compensate first, then either return the definition's
        ``failure_output`` or raise (``StepFailed``/``DefinitionFailedAtRun``); cancellation compensates and
        re-raises."""
        defn = self.definition
        root = self.state.root
        try:
            if self.vars_error is not None:
                raise self.vars_error
            start = self.payload.resume.step_index if self.payload.resume is not None else 0
            await self.run_steps(defn.steps, root, "", start=start)
            output = self.render(defn.output, root, "output") if defn.output is not None else None
        except RunEnded as ended:
            output = ended.output
        except (StepFailed, DefinitionFailedAtRun) as err:
            self.locate(err)
            self.set_status("compensating")
            compensations = await self.saga.compensate(self.runtime, defn.compensation_order)
            self.set_status("failed")
            if defn.failure_output is None:
                raise RunFailedAfterCompensation(err, compensations) from err
            try:
                return self.render(
                    defn.failure_output,
                    root,
                    "failure_output",
                    error=err.as_dict(),
                    compensations=compensations,
                )
            except DefinitionFailedAtRun as bad_output:
                self.locate(bad_output)
                raise RunFailedAfterCompensation(bad_output, compensations) from err
        except ContinueAsNew:
            self.set_status("continued as new")
            raise
        except asyncio.CancelledError:
            # Cancelled: undo what was done (shielded from the cancellation), then let the cancellation stand.
            # (Other base exceptions, such as the worker discarding the run, must not compensate.)
            self.set_status("compensating")
            await self.saga.compensate(self.runtime, defn.compensation_order)
            self.set_status("cancelled")
            raise
        self.set_status("completed")
        return output

    def locate(self, err: StepFailed | DefinitionFailedAtRun) -> None:
        """Give a failure that ends the run the file and line of its step, from the run's source map."""
        where = locate(self.payload.source, err.step)
        if where is not None:
            err.file, err.line = where

    @contextlib.contextmanager
    def pending_wait(self, wait: dict[str, Any]) -> Iterator[None]:
        """Report ``wait`` (a timer or a signal wait) in progress while the block runs."""
        waits = self.state.progress.pending_waits
        waits.append(wait)
        self.report()
        try:
            yield
        finally:
            waits.remove(wait)

    def set_status(self, status: str) -> None:
        self.state.status = status
        self.report()

    def resume_snapshot(self, step_index: int, iterations: dict[str, int]) -> ResumeState:
        """State carried across continue-as-new, to resume at ``step_index``."""
        return ResumeState(
            step_index=step_index,
            iterations=iterations,
            vars=self.state.vars,
            steps=self.state.root.steps,
            signals=self.state.signals,
            signal_buffer=[list(item) for item in self.state.signal_buffer],
            completed=self.state.progress.completed[-self.state.progress.KEEP_COMPLETED :],
            completed_count=self.state.progress.completed_count,
            ignored_signals=self.state.ignored_signals,
            saga=self.saga.as_data(),
            upgrades=self.upgrade.history,
        )


class RunFailedAfterCompensation(RunError):
    """The run failed, and what it had done was compensated. ``error`` is the cause (its type, step and
    location are this error's); ``compensations`` what was undone."""

    def __init__(
        self, error: StepFailed | DefinitionFailedAtRun, compensations: list[dict[str, Any]]
    ) -> None:
        self.error = error
        self.compensations = compensations
        text = str(error)
        if compensations:
            done = ", ".join(f"{c['step']} ({c['activity']}: {c['status']})" for c in compensations)
            text = f"{text}; compensated: {done}"
        super().__init__(text)
        self.step, self.file, self.line = error.step, error.file, error.line

    @property
    def record_type(self) -> str:
        return self.error.record_type

    @property
    def record_details(self) -> Any:
        return {"error": self.error.record(), "compensations": self.compensations}




# Imported once here, not in run_step: an import statement inside the workflow sandbox runs its import
# machinery on every step. (At the end of the module: the step handlers refer to this module's types.)
from .steps import handler_for  # noqa: E402
