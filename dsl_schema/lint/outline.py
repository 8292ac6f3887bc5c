"""The outline of a definition: its steps and values in execution order, each with the scope it runs in.

The walk of a step follows its kind's declaration (``dsl_schema/kinds/``): the roles of its values and the
scopes of its nested step lists are markers on the fields of its model, read by :class:`_StepWalk`. What
those declarations say mirrors the interpreter (``interpreter/core.py``, ``interpreter/state.py``,
``interpreter/steps``):

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

import typing
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel
from rpds import HashTrieSet

from ..kinds import Step, kind_of
from ..kinds.base import AssignsVars, FromField, Nested, Role, Sees, SignalsWaited
from ..loader import JsonPath
from ..models import Defaults

BASE_NAMES = frozenset({"input", "vars", "steps", "signals", "workflow", "attempt"})
"""Names every expression inside the steps sees."""


class StepSet:
    """A persistent set of step ids: adding one shares the rest with the set it came from, so keeping the
    scope of every step costs memory linear in the steps (a frozenset copied per step made lint quadratic:
    2.4 GB for 10,000 steps). ``_log`` lists the ids added, newest first, as linked pairs, so a union with a
    set grown from a common base adds only what that set added since."""

    __slots__ = ("_items", "_log")

    def __init__(self, items: HashTrieSet = HashTrieSet(), log: tuple[Any, ...] | None = None) -> None:  # noqa: B008
        self._items = items
        self._log = log

    def __contains__(self, step_id: object) -> bool:
        return step_id in self._items

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StepSet):
            return self._items == other._items
        if isinstance(other, set | frozenset):
            return set(self._items) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"StepSet({sorted(self._items)!r})"

    def add(self, step_id: str) -> StepSet:
        if step_id in self._items:
            return self
        return StepSet(self._items.insert(step_id), (step_id, self._log))

    def union_since(self, base: StepSet, other: StepSet) -> StepSet:
        """This set plus what ``other`` added since ``base`` (all of ``other`` when it did not grow from
        ``base``)."""
        result: StepSet = self
        added: list[str] = []
        log = other._log
        while log is not None and log is not base._log:
            added.append(log[0])
            log = log[1]
        if log is not base._log:
            added = list(other._items)
        for step_id in reversed(added):
            result = result.add(step_id)
        return result

    @classmethod
    def of(cls, step_ids: typing.Iterable[str]) -> StepSet:
        result = cls()
        for step_id in step_ids:
            result = result.add(step_id)
        return result


_NO_STEPS = StepSet()


@dataclass(frozen=True)
class Scope:
    """What an expression can see at one point of the run."""

    steps: StepSet = _NO_STEPS
    names: frozenset[str] = BASE_NAMES
    foreach: tuple[JsonPath, ...] = ()
    branches: tuple[tuple[JsonPath, str], ...] = ()
    where: str = "steps"  # "id" (workflow id template) or "vars" (initial variables) elsewhere

    def add_step(self, step_id: str) -> Scope:
        return replace(self, steps=self.steps.add(step_id))

    def with_steps(self, steps: StepSet) -> Scope:
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
        anywhere = Scope(steps=StepSet.of(out.root_steps))
        if "failure_output" in data:
            self.value(("failure_output",), data["failure_output"], "template",
                       anywhere.add_names("error", "compensations"))
        if isinstance(data.get("defaults"), dict):
            walk = _StepWalk(self, ("defaults",), None, anywhere)
            walk.model(Defaults, data["defaults"], ("defaults",), anywhere)
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
        declared = kind_of(data)
        kind = declared.key if declared is not None else None
        raw_id = data.get("id")
        step_id = raw_id if isinstance(raw_id, str) and raw_id else None
        info = StepInfo(path, data, kind, step_id, scope)
        self.result.steps.append(info)
        if step_id is not None:
            self.result.step_ids.setdefault(step_id, info)
        after = scope
        if declared is not None:
            walk = _StepWalk(self, path, step_id, scope)
            walk.model(declared.model, data, path, scope)
            after = self.union(scope, *walk.afters)
        elif "if" in data:
            self.value((*path, "if"), data["if"], "condition", scope)
        return after.add_step(step_id) if step_id is not None else after

    @staticmethod
    def union(scope: Scope, *afters: Scope) -> Scope:
        steps = scope.steps
        for after in afters:
            steps = steps.union_since(scope.steps, after.steps)
        return scope.with_steps(steps)


def _markers(tp: Any) -> tuple[Any, list[Any]]:
    """``tp`` without its ``Annotated`` layers, and their metadata."""
    metadata: list[Any] = []
    while typing.get_origin(tp) is typing.Annotated:
        tp, *more = typing.get_args(tp)
        metadata = [*more, *metadata]
    return tp, metadata


def _shape(tp: Any) -> str:
    """``mapping``, ``list`` or ``scalar``: the kind of value a type describes."""
    tp, _ = _markers(tp)
    origin = typing.get_origin(tp)
    if origin is dict or (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return "mapping"
    return "list" if origin is list else "scalar"


def _shape_of(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


class _StepWalk:
    """The walk of one step's mapping, led by its model's annotations and their markers."""

    def __init__(self, walker: _Walker, path: JsonPath, step_id: str | None, scope: Scope) -> None:
        self.walker = walker
        self.path = path
        self.step_id = step_id
        self.scope = scope
        self.ends: dict[str, list[Scope]] = {}
        self.afters: list[Scope] = []  # ends of the nested lists whose results are visible after the step
        self.handlers: JsonPath | None = None  # the path of a mapping of signal handlers

    def model(self, model: type[BaseModel], data: dict[str, Any], path: JsonPath, scope: Scope) -> None:
        fields = list(model.model_fields.items())
        # values rendered once the step ran are walked last, when its lists' scopes are known
        later = [(name, info) for name, info in fields
                 if any(isinstance(m, Sees) and m.after_step for m in info.metadata)]
        for name, info in [item for item in fields if item not in later] + later:
            key = info.alias or name
            if key in data:
                self.field(info.annotation, info.metadata, data[key], (*path, key), scope, data)

    def field(self, tp: Any, metadata: list[Any], value: Any, path: JsonPath, scope: Scope,
              container: dict[str, Any]) -> None:
        if tp is Step:
            return
        tp, more = _markers(tp)
        marks = [*more, *metadata]
        for mark in marks:
            if isinstance(mark, Sees):
                scope = self.sees(scope, mark)
            elif isinstance(mark, SignalsWaited):
                self.signals(value, path)
            elif isinstance(mark, AssignsVars) and isinstance(value, dict):
                for name in value:
                    self.walker.result.vars_set.setdefault(name, (*path, name))
        nested = next((m for m in marks if isinstance(m, Nested)), None)
        if nested is not None:
            self.nested(nested, value, path, scope, container)
            return
        role = next((m for m in marks if isinstance(m, Role)), None)
        if role is not None:
            self.walker.value(path, value, role.role, scope)
            return
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if isinstance(value, dict):
                self.model(tp, value, path, scope)
        elif origin in (typing.Union, type(int | str)):
            branches = [branch for branch in typing.get_args(tp) if branch is not type(None)]
            shape = _shape_of(value)
            fitting = [branch for branch in branches if _shape(branch) == shape]
            # A value of no branch's shape (a schema error) is still checked as the scalar branch's role.
            scalars = [branch for branch in branches if _shape(branch) == "scalar"]
            chosen = branches if len(branches) == 1 else fitting if fitting else scalars
            for branch in chosen[:1] if shape == "scalar" or not fitting else chosen:
                self.field(branch, [], value, path, scope, container)
        elif origin is list and isinstance(value, list):
            (item,) = typing.get_args(tp)
            for index, element in enumerate(value):
                self.field(item, [], element, (*path, index), scope, container)
        elif origin is dict and isinstance(value, dict):
            _, item = typing.get_args(tp)
            for key, element in value.items():
                self.field(item, [], element, (*path, key), scope, container)

    def sees(self, scope: Scope, mark: Sees) -> Scope:
        if mark.after is not None and self.ends.get(mark.after):
            scope = self.ends[mark.after][-1]
        if mark.after_step:
            scope = self.walker.union(scope, *self.afters)
        if mark.own_result and self.step_id is not None:
            scope = scope.add_step(self.step_id)
        return scope.add_names(*mark.names)

    def signals(self, value: Any, path: JsonPath) -> None:
        waited = self.walker.result.signals_waited
        if isinstance(value, list):
            for index, name in enumerate(value):
                if isinstance(name, str):
                    waited.setdefault(name, []).append((*path, index))
        elif isinstance(value, dict):
            self.handlers = path  # recorded one by one as their steps are walked, in execution order

    def nested(self, spec: Nested, value: Any, path: JsonPath, scope: Scope,
               container: dict[str, Any]) -> None:
        seen = [end for label in spec.sees for end in self.ends.get(label, [])]
        inner = self.walker.union(scope, *seen) if seen else scope
        names = [name if isinstance(name, str) else _named(name, container) for name in spec.names]
        inner = inner.add_names(*names)
        if spec.frame:
            inner = replace(inner, foreach=(*inner.foreach, self.path))
        lists = [(key, items, (*path, key)) for key, items in value.items()] if isinstance(value, dict) \
            else [(None, value, path)]
        for key, items, where in lists:
            if key is not None and path == self.handlers:
                self.walker.result.signals_waited.setdefault(str(key), []).append(where)
            here = inner
            if spec.branch and key is not None:
                here = replace(here, branches=(*here.branches, (self.path, key)))
            end = self.walker.steps(items, where, here)
            self.ends.setdefault(spec.label, []).append(end)
            if not spec.frame:
                self.afters.append(end)


def _named(name: FromField, container: dict[str, Any]) -> str:
    value = container.get(name.key)
    return value if isinstance(value, str) else name.default
