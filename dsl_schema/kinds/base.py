"""What every step kind declaration is made of: the shared value types, the markers that say what a field
means to the rest of the language (expression roles, nested step lists and their scopes) and the
:class:`StepKind` record itself.

A field's pydantic annotation is the single statement of its shape. Markers put in its ``Annotated``
metadata (pydantic ignores objects it does not know) tell the others what they need:

* :class:`SchemaRef`: the JSON Schema generator (``dsl_schema/generate.py``) emits a ``$ref`` to a shared
  definition instead of inlining the type;
* :class:`Role`: the linter's outline (``dsl_schema/lint/outline.py``) records the value as an expression,
  condition, duration, timestamp, foreach items or JSON Schema, checked in the scope the marker says;
* :class:`Nested`: the field holds step lists (one, or one per mapping key), walked in the scope the marker
  describes (extra names, a child frame, a parallel branch, the results of earlier lists it sees);
* :class:`SignalsWaited` and :class:`AssignsVars`: the field names signals the step waits for, or variables
  it sets.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from ..durations import MAX_DURATION_SECONDS

if TYPE_CHECKING:
    from . import Step  # built from the kinds declared with these types (``kinds/__init__.py``)

MAX_ATTEMPTS = 2**31 - 1
"""Temporal stores ``maximum_attempts`` as a 32-bit integer."""

# [0-9], not \d: JSON Schema patterns are ECMA-262, where \d is ASCII only (in Python and Rust it is Unicode).
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
DEFINITION_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
PERCENTAGE_PATTERN = r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%$"
# Exactly one ``{{ ... }}`` (no braces inside), so it renders to a native value.
TEMPLATE_PATTERN = r"^\{\{[^{}]+\}\}$"


# ---------------------------------------------------------------------------------------------- markers
@dataclass(frozen=True)
class SchemaRef:
    """Emit ``{"$ref": "#/$defs/<name>"}`` for this type; the definition is generated from the type once."""

    name: str
    description: str | None = None


@dataclass(frozen=True)
class Role:
    """The value is rendered or parsed by the interpreter: ``template``, ``condition``, ``duration``,
    ``timestamp``, ``items`` (foreach items) or ``schema`` (a JSON Schema)."""

    role: str


TEMPLATE = Role("template")
CONDITION = Role("condition")
DURATION = Role("duration")
TIMESTAMP = Role("timestamp")
ITEMS = Role("items")


@dataclass(frozen=True)
class FromField:
    """A name given by a sibling field of the same mapping (foreach ``as``), or ``default``."""

    key: str
    default: str


@dataclass(frozen=True)
class Sees:
    """The scope of this field's values differs from the step's: extra ``names``; ``own_result`` (the
    step's own result, as a compensation sees it); ``after`` (the scope at the end of the nested list of
    that label, as a foreach ``result`` sees its item's steps)."""

    names: tuple[str, ...] = ()
    own_result: bool = False
    after: str | None = None
    after_step: bool = False
    """The value is rendered once the whole step ran: it sees what the step's lists leave visible (a step's
    ``result:`` shaping)."""


@dataclass(frozen=True)
class Nested:
    """The field holds a step list, or a mapping of step lists (one per key).

    ``label`` names the list(s) for scoping; ``names`` are the extra names its steps see; ``frame``: the
    steps run in a child frame whose results are not visible after the step (foreach items); ``branch``:
    lists run concurrently, each apart from its siblings (parallel); ``sees``: labels of the step's earlier
    lists whose results these steps see (``catch`` sees ``try``).

    ``segment`` (required): what the interpreter's handler appends to the step's path for these steps, as in
    ``<step>/<segment>/<inner step>``; ``{key}`` is the mapping key of a list held per key (a branch or
    signal name), ``{index}`` the position of the clause holding the list in its own list (``catch#{index}``);
    empty for a loop body, whose segment is the iteration (``orders[3]/charge``). The source map
    (``dsl_schema/source_map.py``) names steps by it, so a failure's path finds its line.
    """

    label: str
    names: tuple[str | FromField, ...] = ()
    frame: bool = False
    branch: bool = False
    sees: tuple[str, ...] = ()
    segment: str = field(kw_only=True)

    def segment_of(self, key: str | None = None, index: int | None = None) -> str:
        """The run-time path segment of one list: :attr:`segment` with its ``key`` and ``index``."""
        return self.segment.format(key="" if key is None else key, index="" if index is None else index)


@dataclass(frozen=True)
class SignalsWaited:
    """The field names the signals the step waits for (a list of names, or a mapping keyed by them)."""


@dataclass(frozen=True)
class AssignsVars:
    """The field is a mapping whose keys are variables the step sets (``vars.<name>``)."""


# ---------------------------------------------------------------------------------------------- types
def _integral(value: Any) -> Any:
    """JSON Schema counts ``3.0`` as an integer; accept it as ``3`` so models and schema agree."""
    return int(value) if type(value) is float and value.is_integer() else value


Integer: TypeAlias = Annotated[int, BeforeValidator(_integral)]
Template: TypeAlias = Any
Expr: TypeAlias = Annotated[Any, TEMPLATE]
"""Any JSON value whose strings are templates (rendered recursively inside lists and mappings)."""
Condition: TypeAlias = Annotated[str | bool, CONDITION]
Duration: TypeAlias = Annotated[
    Annotated[float, Field(ge=0, le=MAX_DURATION_SECONDS)] | Annotated[str, Field(min_length=1)],
    SchemaRef("duration", "Seconds (at most 100 years), '30s', '5m', '24h', '2d', ISO 8601 'PT30S', "
                          "or an expression."),
    DURATION,
]
NonEmptyStr: TypeAlias = Annotated[str, Field(min_length=1)]
Identifier: TypeAlias = Annotated[str, Field(pattern=IDENTIFIER_PATTERN), SchemaRef("identifier")]
DefinitionName: TypeAlias = Annotated[str, Field(pattern=DEFINITION_NAME_PATTERN, max_length=200)]
TemplateString: TypeAlias = Annotated[
    str, Field(pattern=TEMPLATE_PATTERN),
    SchemaRef("template_string", "Exactly one expression, {{ ... }} (no braces inside), rendered when the "
                                 "step runs."),
]
StepList: TypeAlias = Annotated[list["Step"], SchemaRef("step_list")]
"""A nested step list (may be empty)."""
Steps: TypeAlias = Annotated[list["Step"], Field(min_length=1), SchemaRef("steps")]
"""The definition's own step list (at least one step)."""


# ---------------------------------------------------------------------------------------------- models
class Model(BaseModel):
    """Base of every model of the language: unknown keys rejected, values strict and frozen."""

    # Keys are validated by their YAML spelling only (``if``, not ``if_``), as the schema does.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        """An explicit ``null`` is only a value where any value is (templates); elsewhere the schema
        rejects it, and so do the models (``timeout:`` with nothing after it is a mistake, not a default)."""
        name = info.field_name
        if value is None and name is not None and cls.model_fields[name].annotation is not Any:
            raise ValueError("must not be null")
        return value


class StepBase(Model):
    """The keys every step has besides its kind key."""

    id: Identifier | None = Field(default=None, description="Name of the step; its result is steps.<id>.")
    name: str | None = Field(default=None, description="Human-readable name.")
    if_: Condition | None = Field(default=None, alias="if",
                                  description="Run the step only when this expression is true.")


class ShapedStep(StepBase):
    """A step that produces a result: ``result:`` may shape what ``steps.<id>`` holds."""

    result: Annotated[Any, TEMPLATE, Sees(names=("result",), after_step=True)] = Field(
        default=None,
        description="What steps.<id> holds instead of the step's raw result (a template over it, seen as "
                    "result); the raw result is not kept.",
    )


# ---------------------------------------------------------------------------------------------- outline
ABSENT: Any = object()


@dataclass(frozen=True)
class Fact:
    """One fact of the readable outline (``GET /definitions/{name}``): ``label`` is the value at ``path``
    (keys from the step mapping), else ``default`` (omitted when it has none). ``keys``: the sorted keys of a
    mapping (a list is shown as it is)."""

    label: str
    path: tuple[str, ...]
    default: Any = ABSENT
    keys: bool = False


@dataclass(frozen=True)
class Lists:
    """Nested step lists of the readable outline: the list at ``path`` (``keyed``: a mapping of lists, shown
    per key), shown under ``label``; ``always``: shown (empty) when the key is absent."""

    label: str
    path: tuple[str, ...]
    keyed: bool = False
    always: bool = False


@dataclass(frozen=True)
class Clauses:
    """A list of clauses (switch cases, catch clauses), each shown as its ``facts`` keys (``null`` when
    absent), its ``optional`` keys (only when present) and its ``steps``."""

    label: str
    path: tuple[str, ...]
    facts: tuple[str, ...]
    steps: str = "steps"
    optional: tuple[str, ...] = ()


OutlinePart: TypeAlias = Fact | Lists | Clauses


@dataclass(frozen=True)
class Otherwise:
    """An edge from a branching step straight past its lists, labelled ``label``: drawn when every path in
    ``when`` is present in the step mapping and none in ``unless`` is (a switch without ``default`` goes on
    when no case matches; a ``wait_for`` with a timeout and no ``on_timeout`` goes on when it times out)."""

    label: str
    when: tuple[tuple[str, ...], ...] = ()
    unless: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Drawing:
    """How ``tdsl graph`` draws a step of a kind (``dsl_schema/graph/``); the graph knows no kind by name.

    ``shape``: the node's shape (``box``, ``round``, ``stadium``, ``diamond``, ``hexagon``, ``subroutine``,
    ``lean``, ``circle``). ``layout``: ``sequence`` (a leaf, or lists run one after another), ``fan`` (the
    step fans out to each of its nested lists, which meet again after it) or ``loop`` (one body, with a
    back-edge labelled ``back`` to the step and a ``done`` edge out of it). ``join``: the lists meet at a
    join node labelled with the value of this outline fact (a parallel's ``mode``). ``after``: labels of
    nested lists drawn after the others have met (``finally``). ``otherwise``: see :class:`Otherwise`.
    ``facts``: the facts shown in the node, instead of the outline's. ``compensate``: the path of the
    step's compensation call, drawn as a separate node behind a dashed edge. ``end``: for a terminal kind,
    the end node it leads to (``end`` or ``failed``).
    """

    shape: str = "box"
    layout: str = "sequence"
    join: str | None = None
    after: tuple[str, ...] = ()
    otherwise: Otherwise | None = None
    facts: tuple[Fact, ...] | None = None
    compensate: tuple[str, ...] | None = None
    back: str = "next"
    end: str = "end"


@dataclass(frozen=True)
class StepKind:
    """One step kind: its kind key, its model and what the rest of the language needs to know about it.

    ``terminal``: a step of this kind always ends its list (the run, or the foreach item).
    ``outline``: what the readable outline shows of it, in order.
    ``drawing``: how its graph shows it (:class:`Drawing`).
    """

    key: str
    model: type[StepBase]
    description: str
    outline: tuple[OutlinePart, ...] = ()
    terminal: bool = False
    schema_name: str = field(default="")
    drawing: Drawing = field(default_factory=Drawing)

    def __post_init__(self) -> None:
        if not self.schema_name:
            object.__setattr__(self, "schema_name", f"{self.key}_step")

    @property
    def nested(self) -> tuple[Nested, ...]:
        """The declarations of the step lists a step of this kind holds (none for a leaf kind)."""
        return nested_lists(self.model)


def nested_lists(model: type[BaseModel]) -> tuple[Nested, ...]:
    """Every :class:`Nested` marker in ``model``'s fields and the models they hold, in field order."""
    found: list[Nested] = []
    seen: set[type] = set()  # steps hold steps: each model once

    def visit(tp: Any) -> None:
        while typing.get_origin(tp) is typing.Annotated:
            tp, *metadata = typing.get_args(tp)
            found.extend(m for m in metadata if isinstance(m, Nested))
            if any(isinstance(m, Nested) for m in metadata):
                return
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.add(tp)
            for info in tp.model_fields.values():
                marks = [m for m in info.metadata if isinstance(m, Nested)]
                found.extend(marks)
                if not marks:
                    visit(info.annotation)
        else:
            for arg in typing.get_args(tp):
                visit(arg)

    visit(model)
    return tuple(found)


@dataclass(frozen=True)
class NestedList:
    """One step list found in a step's raw mapping: its declaration, its JSON path below the step, its
    value (as written, any shape) and the run-time path segment its steps get (see :attr:`Nested.segment`)."""

    spec: Nested
    path: tuple[str | int, ...]
    items: Any
    segment: str


def nested_step_lists(model: type[BaseModel], data: Any) -> Iterator[NestedList]:
    """Every step list held by ``data``, a raw step mapping of the kind ``model`` declares, in field order.

    Led by the model's annotations and their :class:`Nested` markers, so it knows no kind by name. It is
    defensive: values of an unexpected shape (a document the schema rejects) are skipped, not an error.
    """

    def fields(model: type[BaseModel], value: dict[str, Any], path: tuple[str | int, ...],
               index: int | None) -> Iterator[NestedList]:
        for name, info in model.model_fields.items():
            key = info.alias or name
            if key in value:
                yield from visit(info.annotation, info.metadata, value[key], (*path, key), index)

    def visit(tp: Any, metadata: list[Any], value: Any, path: tuple[str | int, ...],
              index: int | None) -> Iterator[NestedList]:
        marks = list(metadata)
        while typing.get_origin(tp) is typing.Annotated:
            tp, *more = typing.get_args(tp)
            marks.extend(more)
        spec = next((mark for mark in marks if isinstance(mark, Nested)), None)
        origin = typing.get_origin(tp)
        if spec is not None:
            if origin is dict:  # one list per key
                for key, items in value.items() if isinstance(value, dict) else ():
                    yield NestedList(spec, (*path, key), items, spec.segment_of(str(key), index))
            else:
                yield NestedList(spec, path, value, spec.segment_of(None, index))
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            # A step model below a step is a step of a list, walked by the caller (never reached: lists
            # of steps are marked), not part of this step.
            if isinstance(value, dict) and not issubclass(tp, StepBase):
                yield from fields(tp, value, path, index)
        elif origin in (typing.Union, type(int | str)):
            for branch in typing.get_args(tp):
                if _fits(branch, value):
                    yield from visit(branch, [], value, path, index)
                    return
        elif origin is list and isinstance(value, list):
            (item,) = typing.get_args(tp)
            for position, element in enumerate(value):
                yield from visit(item, [], element, (*path, position), position)
        elif origin is dict and isinstance(value, dict):
            _, item = typing.get_args(tp)
            for key, element in value.items():
                yield from visit(item, [], element, (*path, key), index)

    if isinstance(data, dict):
        yield from fields(model, data, (), None)


def _fits(tp: Any, value: Any) -> bool:
    """Whether ``value`` has the shape (mapping, list or other) of the type ``tp``."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if origin is dict or (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return isinstance(value, dict)
    if origin is list:
        return isinstance(value, list)
    return not isinstance(value, dict | list)
