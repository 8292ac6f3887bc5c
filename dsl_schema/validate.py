"""Validate a loaded document against the published JSON Schema, with positions.

Errors under a step's ``oneOf`` are reported against the branch of the step's own kind (found from its kind
key), so a typo in an activity step says which key is wrong rather than "not valid under any schema".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .diagnostics import Diagnostic
from .loader import JsonPath, LoadedDocument
from .models import STEP_KINDS

SCHEMA_FILE = "workflow.schema.json"


@cache
def workflow_schema() -> dict[str, Any]:
    """The published JSON Schema of definitions."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(workflow_schema())


def _kind(instance: Any) -> str | None:
    if isinstance(instance, dict):
        return next((k for k in STEP_KINDS if k in instance), None)
    return None


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend through ``oneOf``/``anyOf`` to the errors that explain them best."""
    if error.validator == "oneOf" and error.context:
        kind = _kind(error.instance)
        if kind is None and isinstance(error.instance, dict):
            yield error  # no kind key at all: reported as such by schema_diagnostics
            return
        # The step schema's oneOf lists the kinds in STEP_KINDS order.
        branch = STEP_KINDS.index(kind) if kind is not None else -1
        chosen = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == branch]
        for sub in chosen:
            yield from _leaf_errors(sub)
        if not chosen:
            yield error
        return
    if error.validator == "anyOf" and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            yield from _leaf_errors(deepest)
            return
    yield error


def _message(error: ValidationError) -> tuple[str, str, bool]:
    """(code, message, points at key) for one leaf error."""
    if error.validator == "oneOf" and isinstance(error.instance, dict) and _kind(error.instance) is None:
        keys = ", ".join(sorted(map(str, error.instance))) or "nothing"
        return "E101", f"step has no kind key (one of {', '.join(STEP_KINDS)}); it has: {keys}", False
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "E102", f"unknown key{'s' if len(extra) > 1 else ''}: {', '.join(map(str, extra))}", False
    if error.validator == "required":
        return "E103", error.message, False
    if error.validator in ("type", "anyOf"):
        return "E104", error.message, False
    return "E100", error.message, False


def schema_diagnostics(doc: LoadedDocument) -> list[Diagnostic]:
    """Every schema violation in ``doc``, positioned at the offending node."""
    found: list[Diagnostic] = []
    seen: set[tuple[JsonPath, str]] = set()
    for top in _validator().iter_errors(doc.data):
        for error in _leaf_errors(top):
            code, message, _ = _message(error)
            path: JsonPath = tuple(error.absolute_path)
            key_paths: list[JsonPath] = [path]
            if error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
                key_paths = [(*path, str(k)) for k in extra]
            for where in key_paths:
                if (where, message) in seen:
                    continue
                seen.add((where, message))
                found.append(doc.diagnostic(where, code, message, key=where != path))
    return sorted(found)
