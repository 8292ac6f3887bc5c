"""``raise``: inside a ``catch`` clause, fail again with the caught error (its type, message, details and
step), after the clause's earlier steps ran."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from .base import Drawing, Model, StepBase, StepKind


class RaiseBody(Model):
    """Nothing to set: the caught error is raised as it was caught."""

    model_config = ConfigDict(json_schema_extra={"description": "An empty mapping: {}."})


class RaiseStep(StepBase):
    """Rethrow the error the enclosing ``catch`` clause caught."""

    raise_: RaiseBody = Field(alias="raise")


KIND = StepKind(
    "raise",
    RaiseStep,
    "Rethrow the caught error (in a catch clause).",
    terminal=True,
    drawing=Drawing("stadium", end="failed"),
)
