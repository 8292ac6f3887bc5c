"""Validate a loaded document against the published JSON Schema, with positions.

Errors under a step's ``oneOf`` are reported against the branch of the step's own kind (found from its kind
key), so a typo in an activity step says which key is wrong rather than "not valid under any schema".

Patterns follow ECMA-262 as JSON Schema says: ``$`` is the end of the text. The ``jsonschema`` package checks
them with Python's ``re.search``, whose ``$`` also matches before a trailing newline (``"name\n"`` would pass
as an identifier); :func:`schema_validator` checks them the way editors and the pydantic models do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, _keywords, validators
from jsonschema.exceptions import ValidationError

from .diagnostics import Diagnostic
from .durations import DurationError, parse_duration
from .kinds import KINDS, STEP_KINDS, step_kind
from .loader import JsonPath, LoadedDocument
from .models import PERCENTAGE_PATTERN, TEMPLATE_PATTERN
from .suggest import closest_name

SCHEMA_FILE = "workflow.schema.json"


@cache
def workflow_schema() -> dict[str, Any]:
    """The published JSON Schema of definitions."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile a JSON Schema pattern so that ``$`` outside a character class means the end of the text."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_step_branch_lists: dict[int, dict[str, int] | None] = {}


def _kind_branches(one_of: list[Any]) -> dict[str, int] | None:
    """For a ``oneOf`` that is the step schema (one branch per kind, each requiring its kind key), the branch
    of each kind; ``None`` for any other ``oneOf``. Remembered per list: the inlined schema is built once."""
    key = id(one_of)
    if key not in _step_branch_lists:
        required = [b.get("required") if isinstance(b, dict) else None for b in one_of]
        kinds = [r[0] for r in required if isinstance(r, list) and len(r) == 1 and r[0] in KINDS]
        whole = len(kinds) == len(one_of) == len(KINDS)
        _step_branch_lists[key] = {kind: index for index, kind in enumerate(kinds)} if whole else None
    return _step_branch_lists[key]


def _one_of(
    validator: Any, one_of: list[Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """``oneOf``, with a shortcut for steps: every kind's branch requires its kind key and allows no key of
    another kind, so a step with exactly one kind key can match no other branch. When it matches its own,
    the others are not tried (a 10,000-step file validated three times faster); otherwise the standard keyword
    runs, and reports the same errors with their full context."""
    branches = _kind_branches(one_of) if isinstance(instance, dict) else None
    if branches is not None:
        present = [kind for kind in branches if kind in instance]
        if len(present) == 1 and validator.evolve(schema=one_of[branches[present[0]]]).is_valid(instance):
            return
    yield from _keywords.oneOf(validator, one_of, instance, schema)


SchemaValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern, "oneOf": _one_of})
"""Draft 2020-12 with ECMA-262 ``pattern`` semantics (and a faster ``oneOf`` for steps)."""


_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment"})


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each local ``$ref`` replaced by the definition it names, except where a definition
    refers to itself (steps hold steps): the same validation, about twice as fast, since ``jsonschema``
    resolves a ``$ref`` every time it meets one."""
    defs = schema.get("$defs", {})

    def inline(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
        if name is None or name not in defs or name in stack:
            return {key: inline(value, stack) for key, value in node.items()}
        target = inline(defs[name], (*stack, name))
        rest = {key: inline(value, stack) for key, value in node.items() if key != "$ref"}
        if set(rest) & (set(target) - _ANNOTATIONS):
            return {**rest, "allOf": [target]}
        return {**target, **rest}

    return {key: (inline(value, ()) if key != "$defs" else
                  {name: inline(sub, (name,)) for name, sub in value.items()})
            for key, value in schema.items()}


@cache
def schema_validator() -> Draft202012Validator:
    """The validator of definitions against :func:`workflow_schema` (references inlined for speed)."""
    return SchemaValidator(inline_refs(workflow_schema()))


def _is_duration(schema: Any) -> bool:
    """Whether ``schema`` is the ``duration`` definition (inlined: compare its content)."""
    return isinstance(schema, dict) and schema.get("anyOf") == workflow_schema()["$defs"]["duration"]["anyOf"]


_validator = schema_validator


def _kind(instance: Any) -> str | None:
    return step_kind(instance) if isinstance(instance, dict) else None


@cache
def _step_branches() -> dict[str, int]:
    """The index of each kind's branch in the step schema's ``oneOf``, found by the definition it names
    (so the schema may list the kinds in any order)."""
    names = {kind.schema_name: key for key, kind in KINDS.items()}
    branches = workflow_schema()["$defs"]["step"]["oneOf"]
    return {names[ref["$ref"].rsplit("/", 1)[-1]]: index for index, ref in enumerate(branches)}


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend through ``oneOf``/``anyOf`` to the errors that explain them best."""
    if error.validator == "oneOf" and error.context:
        kind = _kind(error.instance)
        if kind is None and isinstance(error.instance, dict):
            yield error  # no kind key at all: reported as such by schema_diagnostics
            return
        branch = _step_branches().get(kind, -1) if kind is not None else -1
        chosen = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == branch]
        for sub in chosen:
            yield from _leaf_errors(sub)
        if not chosen:
            yield error
        return
    if error.validator == "anyOf" and _is_duration(error.schema):
        yield error  # explained by parse_duration in _message
        return
    if error.validator == "anyOf" and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            yield from _leaf_errors(deepest)
            return
        # Same depth: the branches the value's type fits explain it (``-5`` is below the minimum of a
        # number duration rather than "not valid under any of the given schemas").
        fitting = [e for e in error.context if e.validator != "type"]
        if fitting:
            for sub in fitting:
                yield from _leaf_errors(sub)
            return
    yield error


def _names_key(error: ValidationError) -> bool:
    """Whether ``error`` is about a mapping key (``propertyNames``) rather than a value."""
    return "propertyNames" in error.absolute_schema_path


# What the patterns of the schema mean, for messages ("'my step' is not an identifier: ...").
_PATTERN_TEXT = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "an identifier (letters, digits and _, not starting with a digit)",
    r"^[A-Za-z_][A-Za-z0-9_.-]*$": "a definition name (letters, digits, _, . and -; first a letter or _)",
    PERCENTAGE_PATTERN: "a percentage from 0% to 100% (such as '10%')",
    TEMPLATE_PATTERN: "a single expression (exactly one {{ ... }}, with no braces inside)",
}


def _did_you_mean(names: Any, candidates: Any) -> str:
    for name in sorted(map(str, names)):
        close = closest_name(name, candidates)
        if close is not None:
            return f"; did you mean {close!r} instead of {name!r}?"
    return ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _duration_text(value: Any) -> str:
    try:
        parse_duration(value)
    except DurationError as err:
        return str(err)
    return f"{value!r} is not a valid duration"


def _message(error: ValidationError) -> tuple[str, str, bool]:
    """(code, message, points at key) for one leaf error."""
    if error.validator == "oneOf" and isinstance(error.instance, dict) and _kind(error.instance) is None:
        keys = ", ".join(sorted(map(str, error.instance))) or "nothing"
        hint = _did_you_mean(error.instance, STEP_KINDS)
        return "E101", f"step has no kind key (one of {', '.join(STEP_KINDS)}); it has: {keys}{hint}", False
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        hint = _did_you_mean(extra, set(error.schema.get("properties", {})) - set(error.instance))
        return "E102", f"unknown key{'s' if len(extra) > 1 else ''}: {', '.join(map(str, extra))}{hint}", \
            False
    if error.validator == "anyOf" and _is_duration(error.schema):
        return "E104", _duration_text(error.instance), False
    if error.validator == "anyOf" and error.context and all(e.validator == "type" for e in error.context):
        types = ", ".join(repr(t) for e in error.context for t in _as_list(e.validator_value))
        return "E104", f"{error.instance!r} is not of type {types}", False
    if error.validator == "type" and error.instance is None:
        return "E104", f"null is not of type {error.validator_value!r} (the key has no value)", False
    if error.validator == "pattern" and error.validator_value in _PATTERN_TEXT and not _names_key(error):
        return "E100", f"{error.instance!r} is not {_PATTERN_TEXT[error.validator_value]}", False
    if error.validator == "required":
        return "E103", error.message, False
    if _names_key(error):
        rule = f"names must match {error.validator_value}" if error.validator == "pattern" else error.message
        return "E105", f"invalid name {error.instance!r}: {rule}", True
    if error.validator in ("type", "anyOf"):
        return "E104", error.message, False
    return "E100", error.message, False


def schema_diagnostics(
    doc: LoadedDocument, validator: Draft202012Validator | None = None
) -> list[Diagnostic]:
    """Every schema violation in ``doc``, positioned at the offending node. ``validator`` checks against
    another schema than the definitions' own (test files use it)."""
    found: list[Diagnostic] = []
    seen: set[tuple[JsonPath, str]] = set()
    for top in (validator or _validator()).iter_errors(doc.data):
        for error in _leaf_errors(top):
            code, message, _ = _message(error)
            path: JsonPath = tuple(error.absolute_path)
            key_paths: list[JsonPath] = [path]
            if error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
                key_paths = [(*path, str(k)) for k in extra]
            elif _names_key(error):
                key_paths = [(*path, str(error.instance))]
            for where in key_paths:
                if (where, message) in seen:
                    continue
                seen.add((where, message))
                # A null value has no node: ruamel places it at the next token, so point at its key.
                at_key = where != path or (error.instance is None and where in doc.key_positions)
                found.append(doc.diagnostic(where, code, message, key=at_key))
    return sorted(found)
