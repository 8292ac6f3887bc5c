"""The registry of step kinds, derived from their declarations (one module per kind in this package).

Each kind module defines the kind's pydantic model(s) and a :class:`~.base.StepKind` named ``KIND``; the
order of :data:`KIND_MODULES` is the order kinds are listed in (the schema, messages) and the order
:func:`step_kind` looks for a kind key in a mapping that has several.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import BaseModel, Discriminator, Tag

from . import (
    activity,
    child,
    do,
    fail,
    foreach,
    http,
    parallel,
    raise_,
    return_,
    set_,
    switch,
    try_,
    wait,
    wait_for,
    while_,
)
from .base import StepBase, StepKind

KIND_MODULES: tuple[ModuleType, ...] = (
    activity, set_, wait, wait_for, switch, parallel, foreach, while_, try_, do, child, return_, fail,
    raise_, http,
)

KINDS: dict[str, StepKind] = {module.KIND.key: module.KIND for module in KIND_MODULES}
"""Every step kind, by kind key."""

STEP_KINDS: tuple[str, ...] = tuple(KINDS)
"""The kind keys, in declaration order."""

MODEL_KINDS: dict[type, str] = {kind.model: key for key, kind in KINDS.items()}
"""The kind key of each step model."""


def step_kind(value: Any) -> str | None:
    """Return the kind key of a raw step mapping (or model), or ``None`` when it has none."""
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return kind
        return None
    return MODEL_KINDS.get(type(value))


def kind_of(value: Any) -> StepKind | None:
    """The declaration of a raw step mapping's (or model's) kind, or ``None``."""
    key = step_kind(value)
    return KINDS[key] if key is not None else None


if TYPE_CHECKING:
    Step: TypeAlias = StepBase
else:
    Step = Annotated[
        Union[tuple(Annotated[kind.model, Tag(key)] for key, kind in KINDS.items())],  # noqa: UP007
        Discriminator(step_kind),
    ]
    """Any step: the union of the kind models, told apart by their kind key (type checkers see the base)."""


def _models(module: ModuleType) -> list[type[BaseModel]]:
    return [value for value in vars(module).values() if isinstance(value, type)
            and issubclass(value, BaseModel) and value.__module__ == module.__name__]


def rebuild(*models: type[BaseModel]) -> None:
    """Resolve the ``Step`` forward references of models that hold step lists."""
    for model in models:
        model.model_rebuild(_types_namespace={"Step": Step})


rebuild(*(model for module in KIND_MODULES for model in _models(module)))

__all__ = ["KINDS", "KIND_MODULES", "MODEL_KINDS", "STEP_KINDS", "Step", "StepBase", "StepKind", "kind_of",
           "rebuild", "step_kind"]
