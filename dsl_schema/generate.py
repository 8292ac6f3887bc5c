"""Generate the published JSON Schema (``workflow.schema.json``) from the model declarations.

``python -m tdsl.dsl_schema.generate`` rewrites the file; ``--check`` exits 1 when the committed file and the
declarations differ (a test does the same). The schema has the hand-tuned structure the linter's messages rely
on: shared ``$defs`` (``identifier``, ``duration``, ``step`` with one ``oneOf`` branch per kind, ...), closed
objects (``additionalProperties: false``) and the constraints of each field, rather than what pydantic's own
``model_json_schema()`` would give.

How a type becomes a schema: a :class:`~.kinds.base.SchemaRef` marker gives a ``$ref`` (its definition is
generated once, from the same type without the marker); models named in :data:`MODEL_DEFS` are ``$ref``s too,
other models are inlined; ``str``/``int``/``float``/``bool`` give ``type``; pydantic constraints give
``minimum``/``maximum``/``minLength``/``maxLength``/``minItems``/``minProperties``/``pattern``; a ``Literal``
gives ``enum``; a union of plain types gives a list of types, any other union ``anyOf``.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import models
from .kinds import KINDS, Step
from .kinds.base import SchemaRef

SCHEMA_PATH = Path(__file__).with_name("workflow.schema.json")
SCHEMA_ID = "https://temporal-dsl.dev/schema/workflow.schema.json"
MODEL_DEFS: dict[type[BaseModel], str] = {
    models.RetryPolicy: "retry",
    models.SignalDecl: "signal",
    models.QueryDecl: "query",
    models.UpdateDecl: "update",
    models.Compensation: "compensation",
    models.ScheduleDecl: "schedule",
}
"""Models given their own ``$defs`` entry (the others are inlined where they are used)."""

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_PLAIN_TYPES = frozenset(_SCALARS.values())
_COMMON = ("id", "name", "if")
"""The keys every step has, listed first in each step's schema."""


class _Generator:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    # ------------------------------------------------------------------ types
    def type_schema(self, tp: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any]:
        metadata = list(metadata)
        if tp is Step or isinstance(tp, str | typing.ForwardRef):
            return {"$ref": "#/$defs/step"}  # the only recursive type: steps hold steps
        while typing.get_origin(tp) is typing.Annotated:
            tp, *more = typing.get_args(tp)
            metadata = [*more, *metadata]
        ref = next((m for m in metadata if isinstance(m, SchemaRef)), None)
        if ref is not None:
            if ref.name not in self.defs:
                self.defs[ref.name] = {}  # placeholder: a step list refers to itself
                rest = [m for m in metadata if m is not ref]
                body = self.type_schema(tp, rest)
                self.defs[ref.name] = {"description": ref.description, **body} if ref.description else body
            return {"$ref": f"#/$defs/{ref.name}"}
        schema = self._bare(tp)
        for item in metadata:
            self._constrain(schema, item)
        return schema

    def _bare(self, tp: Any) -> dict[str, Any]:
        if tp is Any:
            return {}
        if tp in _SCALARS:
            return {"type": _SCALARS[tp]}
        origin = typing.get_origin(tp)
        if origin is Literal:
            return {"enum": list(typing.get_args(tp))}
        if origin in (typing.Union, types.UnionType):
            branches = [self.type_schema(arg) for arg in typing.get_args(tp) if arg is not type(None)]
            if len(branches) == 1:
                return branches[0]
            if all(list(b) == ["type"] and b["type"] in _PLAIN_TYPES for b in branches):
                return {"type": [b["type"] for b in branches]}
            return {"anyOf": branches}
        if origin is list:
            (item,) = typing.get_args(tp)
            items = self.type_schema(item)
            return {"type": "array", "items": items} if items else {"type": "array"}
        if origin is dict:
            key, value = typing.get_args(tp)
            schema: dict[str, Any] = {"type": "object"}
            names = self.type_schema(key)
            if names != {"type": "string"}:
                schema["propertyNames"] = names
            values = self.type_schema(value)
            if values:
                schema["additionalProperties"] = values
            return schema
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            name = MODEL_DEFS.get(tp)
            if name is None:
                return self.model_schema(tp)
            if name not in self.defs:
                self.defs[name] = {}
                self.defs[name] = self.model_schema(tp)
            return {"$ref": f"#/$defs/{name}"}
        raise TypeError(f"no JSON Schema for {tp!r}")

    @staticmethod
    def _constrain(schema: dict[str, Any], item: Any) -> None:
        if isinstance(item, FieldInfo):
            for inner in item.metadata:
                _Generator._constrain(schema, inner)
            return
        kind = schema.get("type")
        sized = {"array": ("minItems", "maxItems"), "object": ("minProperties", "maxProperties")}.get(
            kind if isinstance(kind, str) else "", ("minLength", "maxLength"))
        if isinstance(item, annotated_types.Ge):
            schema["minimum"] = item.ge
        elif isinstance(item, annotated_types.Le):
            schema["maximum"] = item.le
        elif isinstance(item, annotated_types.MinLen):
            schema[sized[0]] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            schema[sized[1]] = item.max_length
        elif getattr(item, "pattern", None) is not None:
            schema["pattern"] = item.pattern

    # ------------------------------------------------------------------ models
    def field_schema(self, info: FieldInfo) -> dict[str, Any]:
        schema = self.type_schema(info.annotation, info.metadata)
        if info.description:
            schema["description"] = info.description
        default = info.default
        if default is not None and isinstance(default, str | int | float | bool) and not info.is_required():
            schema["default"] = default
        return schema

    def model_schema(self, model: type[BaseModel], description: str | None = None,
                     first: tuple[str, ...] = ()) -> dict[str, Any]:
        """An object schema of ``model``'s fields (by their YAML keys), the keys in ``first`` first."""
        fields = {(info.alias or name): info for name, info in model.model_fields.items()}
        keys = [*(key for key in first if key in fields), *(key for key in fields if key not in first)]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {key: self.field_schema(fields[key]) for key in keys},
            "additionalProperties": False,
        }
        required = [key for key in keys if fields[key].is_required()]
        if required:
            schema["required"] = required
        extra = model.model_config.get("json_schema_extra")
        text = description or (extra.get("description") if isinstance(extra, dict) else None)
        if text:
            schema["description"] = text
        return schema


def generate() -> dict[str, Any]:
    """The JSON Schema of definitions, from the models."""
    gen = _Generator()
    for name in ("identifier", "duration", "template_string"):  # the shared types first, as a reader wants
        gen.type_schema({"identifier": models.Identifier, "duration": models.Duration,
                         "template_string": models.TemplateString}[name])
    for name in ("retry", "signal", "query", "update", "compensation", "schedule"):
        gen.type_schema(next(model for model, def_name in MODEL_DEFS.items() if def_name == name))
    gen.defs["step"] = {"oneOf": [{"$ref": f"#/$defs/{kind.schema_name}"} for kind in KINDS.values()]}
    for kind in KINDS.values():
        gen.defs[kind.schema_name] = gen.model_schema(kind.model, kind.description, (*_COMMON, kind.key))
    gen.type_schema(models.Steps)
    gen.type_schema(models.StepList)
    root = gen.model_schema(models.Definition)
    extra = models.Definition.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    shared = ("identifier", "duration", "template_string", "retry", "signal", "query", "update",
              "compensation", "schedule", "steps", "step_list", "step")
    defs = {name: gen.defs[name] for name in shared}
    defs.update({kind.schema_name: gen.defs[kind.schema_name] for kind in KINDS.values()})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": extra["title"],
        "description": extra["description"],
        "type": "object",
        "additionalProperties": False,
        "required": root["required"],
        "properties": root["properties"],
        "$defs": defs,
    }


def render() -> str:
    """The schema file's text."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema file, or with ``--check`` tell whether it is up to date."""
    parser = argparse.ArgumentParser(prog="python -m tdsl.dsl_schema.generate",
                                     description="Generate workflow.schema.json from the models.")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from the models")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if SCHEMA_PATH.read_text(encoding="utf-8") != text:
            print(f"{SCHEMA_PATH} is out of date: run python -m tdsl.dsl_schema.generate", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
