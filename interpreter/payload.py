"""Typed payloads between runs: a run's input, a ``foreach`` batch, the state carried across
continue-as-new, and the pinned child definitions.

They are dataclasses the data converter decodes (``payload_converter().from_payload(raw, RunPayload)``);
unknown keys are ignored and every field but ``definition`` has a default, so inputs recorded by older
versions (see ``tests/golden/``) still decode. :meth:`RunPayload.to_data` gives the JSON shape runs carry
(absent parts are left out, as they always were). Workflow-safe: plain data only.

The annotations are evaluated (no ``from __future__ import annotations``): the converter resolves a
dataclass's type hints on every decode, and hints written as strings cost it an ``eval`` of each of them per
run (~half the cost of decoding a run's input).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from temporalio.converter import value_to_type

from .errors import DefinitionFailedAtRun
from .key_order import declared_orders, pointer, restore_orders

__all__ = ["Fragment", "PinnedChild", "ResumeState", "RunPayload"]


@dataclass
class PinnedChild:
    """A definition a run may start as a child, pinned when the run started (``Catalog``'s ``pinned()``)."""

    definition: dict[str, Any]
    definition_name: str | None = None
    version: Any = None
    sha256: str | None = None
    commit: str | None = None
    source: dict[str, Any] | None = None
    """The definition's source map (see :class:`RunPayload`)."""

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        if self.source is None:
            del data["source"]  # children pinned before source maps existed look as they did
        return data


@dataclass
class Fragment:
    """One batch of a parent's ``foreach``: the step (as data), its slice of items and the parent's state."""

    path: str
    step: dict[str, Any]
    items: list[Any]
    offset: int = 0
    concurrency: int = 1
    allowed: int | None = None
    """Failures the whole loop tolerates (``None``: every item of the batch may fail)."""
    vars: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        if self.allowed is None:
            del data["allowed"]
        return data


@dataclass
class ResumeState:
    """What a run carries across continue-as-new, to resume at top-level step ``step_index``."""

    step_index: int = 0
    iterations: dict[str, int] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, Any] = field(default_factory=dict)
    signal_buffer: list[list[Any]] = field(default_factory=list)
    """``[name, payload]`` pairs not yet taken by a ``wait_for``."""
    completed: list[str] = field(default_factory=list)
    completed_count: int = 0
    ignored_signals: list[dict[str, Any]] = field(default_factory=list)
    saga: list[dict[str, Any]] = field(default_factory=list)
    """Pending compensations as ``{"step", "call"}`` records (see :mod:`tdsl.interpreter.saga`)."""
    upgrades: list[dict[str, Any]] = field(default_factory=list)
    """The run's upgrades so far (see :mod:`tdsl.interpreter.upgrade`)."""

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.upgrades:
            del data["upgrades"]  # runs never upgraded carry the state they always did
        return data


@dataclass
class RunPayload:
    """The generic workflow's input. ``definition`` is the validated definition as plain data.

    ``children`` carries the definitions a run may start as children (pinned at start like the parent);
    ``fragment`` asks the run to execute one batch of a parent's ``foreach``; ``resume`` carries state
    across continue-as-new. Plain mappings given for the typed parts are converted.
    """

    definition: dict[str, Any]
    input: Any = None
    children: Mapping[str, PinnedChild | Mapping[str, Any]] = field(default_factory=dict)
    """Read them with :meth:`child`; catalog entries given as mappings become :class:`PinnedChild`."""
    fragment: Fragment | None = None
    resume: ResumeState | None = None
    source: dict[str, Any] | None = None
    """The definition's source map, ``{"file", "lines": {step_path: line}}`` (see
    :mod:`tdsl.dsl_schema.source_map`): a failure names the file and line of its step. Absent in runs
    started before source maps existed."""
    key_order: dict[str, list[str]] | None = None
    """The declared key order of the definitions' mappings that JSON would sort (see
    :mod:`tdsl.interpreter.key_order`); applied when the payload is built, made anew by :meth:`to_data`.
    Absent in runs started before it existed, whose definitions keep the sorted order they had."""

    def __post_init__(self) -> None:
        if not isinstance(self.definition, dict):
            raise DefinitionFailedAtRun("the workflow input must be an object with a 'definition' mapping")
        self.children = {
            name: entry if isinstance(entry, PinnedChild) else _typed(PinnedChild, dict(entry))
            for name, entry in (self.children or {}).items()
        }
        if isinstance(self.fragment, dict):
            self.fragment = _typed(Fragment, self.fragment)
        if isinstance(self.resume, dict):
            self.resume = _typed(ResumeState, self.resume)
        if self.key_order:
            self._restore_orders(self.key_order)
        self.key_order = None  # the mappings are in their declared order now; to_data says it again

    def _restore_orders(self, orders: dict[str, list[str]]) -> None:
        if not isinstance(orders, dict):
            raise DefinitionFailedAtRun("the workflow input has an invalid key_order: not a mapping")
        self.definition = restore_orders(self.definition, "/definition", orders)
        for name, entry in self.children.items():
            assert isinstance(entry, PinnedChild)
            at = pointer("children", name, "definition")
            entry.definition = restore_orders(entry.definition, at, orders)
        if self.fragment is not None:
            self.fragment.step = restore_orders(self.fragment.step, "/fragment/step", orders)

    def declared_orders(self) -> dict[str, list[str]]:
        """The key orders :meth:`to_data` carries: of the definition, the pinned children's and a batch's
        step."""
        orders: dict[str, list[str]] = {}
        declared_orders(self.definition, "/definition", orders)
        for name in self.children:
            declared_orders(self.child(name).definition, pointer("children", name, "definition"), orders)
        if self.fragment is not None:
            declared_orders(self.fragment.step, "/fragment/step", orders)
        return orders

    @classmethod
    def from_data(cls, data: Any) -> "RunPayload":
        """Decode plain data (what the data converter does with a JSON payload)."""
        if not isinstance(data, dict) or not isinstance(data.get("definition"), dict):
            raise DefinitionFailedAtRun("the workflow input must be an object with a 'definition' mapping")
        children = data.get("children")
        source = data.get("source")
        if (
            data.get("fragment") is None
            and data.get("resume") is None
            and (children is None
                 or (type(children) is dict and all(type(c) is dict for c in children.values())))
            and (source is None or type(source) is dict)
        ):
            # A plain start (every run but batches and continued runs): its parts already have their
            # types, so it is built directly; the converter would resolve the dataclass's type hints again
            # for every run. Pinned children still become PinnedChild (``__post_init__``).
            return cls(data["definition"], data.get("input"), children or {}, None, None, source,
                       data.get("key_order"))
        return _typed(cls, data)

    def to_data(self) -> dict[str, Any]:
        """The JSON shape of the input (absent parts left out)."""
        data: dict[str, Any] = {"definition": self.definition, "input": self.input}
        if self.children:
            data["children"] = {name: self.child(name).to_data() for name in self.children}
        if self.fragment is not None:
            data["fragment"] = self.fragment.to_data()
        if self.resume is not None:
            data["resume"] = self.resume.to_data()
        if self.source is not None:
            data["source"] = self.source
        orders = self.declared_orders()
        if orders:  # runs whose definitions are sorted already carry none, as before it existed
            data["key_order"] = orders
        return data

    def child(self, name: str) -> PinnedChild:
        """The pinned child definition ``name`` (``KeyError`` when the run may not start it)."""
        entry = self.children[name]
        return entry if isinstance(entry, PinnedChild) else _typed(PinnedChild, dict(entry))

    def with_parts(
        self, *, fragment: Fragment | None = None, resume: ResumeState | None = None
    ) -> "RunPayload":
        """The same definition, input and children with another fragment and resume state."""
        return RunPayload(self.definition, self.input, dict(self.children), fragment, resume, self.source)


def _typed(cls: type[Any], data: Any) -> Any:
    """``data`` as dataclass ``cls`` the way the data converter decodes it; a shape error is a
    :class:`DefinitionFailedAtRun` (the run fails instead of retrying its task)."""
    if isinstance(data, dict):
        # ``None`` for a field means its default (batches of older versions carry ``"resume": null``).
        names = {f.name for f in fields(cls)}
        data = {key: value for key, value in data.items() if key in names and value is not None}
    try:
        return value_to_type(cls, data)
    except (TypeError, ValueError, KeyError) as err:
        reasons = [str(err)]
        cause = err.__cause__
        while cause is not None and len(reasons) < 4:  # the converter says which field, its cause why
            reasons.append(str(cause))
            cause = cause.__cause__
        why = ": ".join(reasons)
        raise DefinitionFailedAtRun(f"the workflow input has an invalid {cls.__name__}: {why}") from None
