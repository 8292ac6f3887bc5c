"""The outline of a definition: its steps and values in execution order, each with the scope it runs in.

The walk mirrors the interpreter (``interpreter/core.py``, ``interpreter/state.py``, ``interpreter/steps``):

* a step's result is visible (``steps.<id>``) to the steps after it. Steps inside ``switch`` cases,
  ``parallel`` branches, ``while`` bodies, ``try``/``catch``/``finally`` and signal handlers write to the same
  frame, so their results are visible after the enclosing step (they *may* have run);
* a ``foreach`` item runs in a child frame: its steps see the outer results, but theirs are not visible after
  the loop (only the loop's own ``results``);
* ``parallel`` branches run concurrently: a branch cannot rely on a sibling branch's steps;
* contextual names: ``item`` (or the ``as`` name) and ``index`` in a foreach body and its ``result``, ``loop``
  in a ``while`` condition and body, ``signal`` in a signal's steps, ``error`` in ``catch`` steps and
  ``failure_output``, ``compensations`` in ``failure_output``, ``result`` in ``compensate``, ``payload`` in
  update ``validate``/``set``/``return``; the workflow ``id`` template sees only ``input``, and the initial
  ``vars`` are rendered before any step or variable exists.

The walk is defensive: it only follows values of the expected shape, so it also outlines documents that
failed the schema (the linter then reports semantic problems beside schema errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..loader import JsonPath
from ..models import step_kind

BASE_NAMES = frozenset({"input", "vars", "steps", "signals", "workflow"})
"""Names every expression inside the steps sees."""

DURATION_FIELDS = ("timeout", "schedule_to_close", "schedule_to_start", "heartbeat")
RETRY_DURATIONS = ("initial_interval", "maximum_interval")


@dataclass(frozen=True)
class Scope:
    """What an expression can see at one point of the run."""

    steps: frozenset[str] = frozenset()
    names: frozenset[str] = BASE_NAMES
    foreach: tuple[JsonPath, ...] = ()
    branches: tuple[tuple[JsonPath, str], ...] = ()
    where: str = "steps"  # "id" (workflow id template) or "vars" (initial variables) elsewhere

    def add_step(self, step_id: str) -> Scope:
        return replace(self, steps=self.steps | {step_id})

    def with_steps(self, steps: frozenset[str]) -> Scope:
        return replace(self, steps=steps)

    def add_names(self, *names: str) -> Scope:
        return replace(self, names=self.names.union(names))


@dataclass(frozen=True)
class StepInfo:
    """One step: its raw mapping, kind key (``None`` when it has none), id and the scope before it runs."""

    path: JsonPath
    data: dict[str, Any]
    kind: str | None
    id: str | None
    scope: Scope

    @property
    def top_level(self) -> bool:
        return len(self.path) == 2


@dataclass(frozen=True)
class Value:
    """A value the interpreter renders or parses. ``role`` is ``template``, ``condition``, ``duration``,
    ``timestamp``, ``items`` (foreach items) or ``schema`` (a JSON Schema)."""

    path: JsonPath
    value: Any
    role: str
    scope: Scope


@dataclass
class Outline:
    """Steps and values of one definition, in execution order."""

    steps: list[StepInfo] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    step_lists: list[tuple[JsonPath, list[Any]]] = field(default_factory=list)
    step_ids: dict[str, StepInfo] = field(default_factory=dict)
    vars_set: dict[str, JsonPath] = field(default_factory=dict)
    signals_waited: dict[str, list[JsonPath]] = field(default_factory=dict)

    @property
    def root_steps(self) -> frozenset[str]:
        """Step ids whose results live in the run's root frame (not inside a foreach body)."""
        return frozenset(sid for sid, info in self.step_ids.items() if not info.scope.foreach)


def outline(data: Any) -> Outline:
    """Outline a definition given as plain data (any shape; unexpected parts are skipped)."""
    walker = _Walker()
    if isinstance(data, dict):
        walker.document(data)
    return walker.result


class _Walker:
    def __init__(self) -> None:
        self.result = Outline()

    # ------------------------------------------------------------------ values
    def value(self, path: JsonPath, value: Any, role: str, scope: Scope) -> None:
        self.result.values.append(Value(path, value, role, scope))

    def options(self, spec: dict[str, Any], path: JsonPath, scope: Scope) -> None:
        """Durations of an activity call (step, compensation or defaults)."""
        for name in DURATION_FIELDS:
            if name in spec:
                self.value((*path, name), spec[name], "duration", scope)
        retry = spec.get("retry")
        if isinstance(retry, dict):
            for name in RETRY_DURATIONS:
                if name in retry:
                    self.value((*path, "retry", name), retry[name], "duration", scope)

    def call(self, spec: dict[str, Any], path: JsonPath, scope: Scope) -> None:
        for name in ("args", "kwargs", "summary"):
            if name in spec:
                self.value((*path, name), spec[name], "template", scope)
        self.options(spec, path, scope)

    def compensation(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> None:
        spec = data.get("compensate")
        if isinstance(spec, dict):
            inner = scope.add_names("result")
            self.call(spec, (*path, "compensate"), inner.add_step(step_id) if step_id else inner)

    # ------------------------------------------------------------------ document
    def document(self, data: dict[str, Any]) -> None:
        out = self.result
        if "id" in data:
            self.value(("id",), data["id"], "template", Scope(names=frozenset({"input"}), where="id"))
        if "input" in data:
            self.value(("input",), data["input"], "schema", Scope())
        variables = data.get("vars")
        if isinstance(variables, dict):
            for name, value in variables.items():
                out.vars_set.setdefault(name, ("vars", name))
                self.value(("vars", name), value, "template", Scope(where="vars"))
        signals = data.get("signals")
        if isinstance(signals, dict):
            for name, decl in signals.items():
                if isinstance(decl, dict) and "schema" in decl:
                    self.value(("signals", name, "schema"), decl["schema"], "schema", Scope())
        end = self.steps(data.get("steps"), ("steps",), Scope())
        if "output" in data:
            self.value(("output",), data["output"], "template", end)
        anywhere = Scope(steps=out.root_steps)
        if "failure_output" in data:
            self.value(("failure_output",), data["failure_output"], "template",
                       anywhere.add_names("error", "compensations"))
        if isinstance(data.get("defaults"), dict):
            self.options(data["defaults"], ("defaults",), anywhere)
        queries = data.get("queries")
        if isinstance(queries, dict):
            for name, decl in queries.items():
                if isinstance(decl, dict) and "value" in decl:
                    self.value(("queries", name, "value"), decl["value"], "template", anywhere)
        updates = data.get("updates")
        if isinstance(updates, dict):
            for name, decl in updates.items():
                if isinstance(decl, dict):
                    self.update(decl, ("updates", name), anywhere.add_names("payload"))

    def update(self, decl: dict[str, Any], path: JsonPath, scope: Scope) -> None:
        if "schema" in decl:
            self.value((*path, "schema"), decl["schema"], "schema", Scope())
        if "validate" in decl:
            self.value((*path, "validate"), decl["validate"], "condition", scope)
        assigned = decl.get("set")
        if isinstance(assigned, dict):
            for name, value in assigned.items():
                self.result.vars_set.setdefault(name, (*path, "set", name))
                self.value((*path, "set", name), value, "template", scope)
        if "return" in decl:
            self.value((*path, "return"), decl["return"], "template", scope)

    # ------------------------------------------------------------------ steps
    def steps(self, items: Any, path: JsonPath, scope: Scope) -> Scope:
        """Walk a step list; return the scope after it."""
        if not isinstance(items, list):
            return scope
        self.result.step_lists.append((path, items))
        for index, item in enumerate(items):
            if isinstance(item, dict):
                scope = self.step(item, (*path, index), scope)
        return scope

    def step(self, data: dict[str, Any], path: JsonPath, scope: Scope) -> Scope:
        kind = step_kind(data)
        raw_id = data.get("id")
        step_id = raw_id if isinstance(raw_id, str) and raw_id else None
        info = StepInfo(path, data, kind, step_id, scope)
        self.result.steps.append(info)
        if step_id is not None:
            self.result.step_ids.setdefault(step_id, info)
        if "if" in data:
            self.value((*path, "if"), data["if"], "condition", scope)
        after = scope
        if kind is not None:
            after = getattr(self, f"kind_{kind}")(data, path, scope, step_id)
        return after.add_step(step_id) if step_id is not None else after

    @staticmethod
    def union(scope: Scope, *afters: Scope) -> Scope:
        return scope.with_steps(scope.steps.union(*(a.steps for a in afters)))

    def kind_activity(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        self.call(data, path, scope)
        self.compensation(data, path, scope, step_id)
        return scope

    def kind_set(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        values = data.get("set")
        if isinstance(values, dict):
            for name, value in values.items():
                self.result.vars_set.setdefault(name, (*path, "set", name))
                self.value((*path, "set", name), value, "template", scope)
        return scope

    def kind_wait(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("wait")
        if isinstance(spec, dict):
            if "for" in spec:
                self.value((*path, "wait", "for"), spec["for"], "duration", scope)
            if "until" in spec:
                self.value((*path, "wait", "until"), spec["until"], "timestamp", scope)
        else:
            self.value((*path, "wait"), spec, "duration", scope)
        return scope

    def kind_wait_for(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("wait_for")
        if not isinstance(spec, dict):
            return scope
        here = (*path, "wait_for")
        if "timeout" in spec:
            self.value((*here, "timeout"), spec["timeout"], "duration", scope)
        afters: list[Scope] = []
        signals = spec.get("signals")
        waited = self.result.signals_waited
        if isinstance(signals, list):
            for index, name in enumerate(signals):
                if isinstance(name, str):
                    waited.setdefault(name, []).append((*here, "signals", index))
        elif isinstance(signals, dict):
            for name, handler in signals.items():
                waited.setdefault(name, []).append((*here, "signals", name))
                afters.append(self.steps(handler, (*here, "signals", name), scope.add_names("signal")))
        afters.append(self.steps(spec.get("on_timeout"), (*here, "on_timeout"), scope))
        return self.union(scope, *afters)

    def kind_switch(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("switch")
        if not isinstance(spec, dict):
            return scope
        afters: list[Scope] = []
        cases = spec.get("cases")
        for index, case in enumerate(cases if isinstance(cases, list) else []):
            if isinstance(case, dict):
                where = (*path, "switch", "cases", index)
                if "if" in case:
                    self.value((*where, "if"), case["if"], "condition", scope)
                afters.append(self.steps(case.get("steps"), (*where, "steps"), scope))
        afters.append(self.steps(spec.get("default"), (*path, "switch", "default"), scope))
        return self.union(scope, *afters)

    def kind_parallel(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("parallel")
        branches = spec.get("branches") if isinstance(spec, dict) else None
        if not isinstance(branches, dict):
            return scope
        afters = [
            self.steps(steps, (*path, "parallel", "branches", name),
                       replace(scope, branches=(*scope.branches, (path, name))))
            for name, steps in branches.items()
        ]
        return self.union(scope, *afters)

    def kind_foreach(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("foreach")
        if not isinstance(spec, dict):
            return scope
        here = (*path, "foreach")
        if "items" in spec:
            self.value((*here, "items"), spec["items"], "items", scope)
        for key in ("concurrency", "tolerate_failures"):  # rendered once, before the items run
            if key in spec:
                self.value((*here, key), spec[key], "template", scope)
        name = spec.get("as")
        inner = replace(scope, foreach=(*scope.foreach, path)).add_names(
            name if isinstance(name, str) else "item", "index"
        )
        body = self.steps(spec.get("steps"), (*here, "steps"), inner)
        if "result" in spec:
            self.value((*here, "result"), spec["result"], "template", body)
        return scope

    def kind_while(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("while")
        if not isinstance(spec, dict):
            return scope
        inner = scope.add_names("loop")
        if "condition" in spec:
            self.value((*path, "while", "condition"), spec["condition"], "condition", inner)
        body = self.steps(spec.get("steps"), (*path, "while", "steps"), inner)
        return self.union(scope, body)

    def kind_try(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        tried = self.steps(data.get("try"), (*path, "try"), scope)
        afters = [tried]
        clauses = data.get("catch")
        for index, clause in enumerate(clauses if isinstance(clauses, list) else []):
            if isinstance(clause, dict):
                afters.append(self.steps(clause.get("steps"), (*path, "catch", index, "steps"),
                                         self.union(scope, tried).add_names("error")))
        afters.append(self.steps(data.get("finally"), (*path, "finally"), self.union(scope, *afters)))
        return self.union(scope, *afters)

    def kind_child(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("child")
        if isinstance(spec, dict):
            for name in ("input", "id"):
                if name in spec:
                    self.value((*path, "child", name), spec[name], "template", scope)
        self.compensation(data, path, scope, step_id)
        return scope

    def kind_return(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        self.value((*path, "return"), data.get("return"), "template", scope)
        return scope

    def kind_fail(self, data: dict[str, Any], path: JsonPath, scope: Scope, step_id: str | None) -> Scope:
        spec = data.get("fail")
        if isinstance(spec, dict):
            for name in ("message", "details"):
                if name in spec:
                    self.value((*path, "fail", name), spec[name], "template", scope)
        else:
            self.value((*path, "fail"), spec, "template", scope)
        return scope
