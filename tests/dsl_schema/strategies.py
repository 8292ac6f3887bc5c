"""Hypothesis strategies for definitions, driven by the published JSON Schema.

:func:`documents` draws a :class:`Drawn` document that is valid by construction: it walks
``dsl_schema/workflow.schema.json`` (refs, ``oneOf``/``anyOf`` branches, every optional property, patterns,
bounds) and records every node it generated as a :class:`Site` (JSON path + the schema the node must satisfy).
:func:`mutants` then changes one site: a wrong or out-of-range value, ``null``, an empty container, an extra
key, a missing required key, a bad name, a step with two kind keys or none. :func:`expected_valid` is a small
third validator (an oracle) that says whether a mutant is still valid, so tests can check that both
implementations are right, not only that they agree, and that mutants are not all (in)valid by chance.

A new step kind or field in the schema is covered without touching this module.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import strategies as st

from tdsl.dsl_schema.validate import ecma_regex, workflow_schema

JsonPath = tuple[str | int, ...]
MAX_DEPTH = 2  # nesting of step lists; deeper lists are empty (or hold only non-nesting steps)

_SCHEMA = workflow_schema()
_DEFS: dict[str, Any] = _SCHEMA["$defs"]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (local refs only) until a schema without one."""
    while "$ref" in schema:
        schema = _DEFS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def def_name(schema: dict[str, Any]) -> str | None:
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


def _nests_steps(schema: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a schema (transitively) contains step lists."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name in ("step", "steps", "step_list"):
                return True
            return name not in seen and _nests_steps(_DEFS[name], seen | {name})
        return any(_nests_steps(value, seen) for value in schema.values())
    if isinstance(schema, list):
        return any(_nests_steps(value, seen) for value in schema)
    return False


STEP_BRANCHES: list[dict[str, Any]] = _DEFS["step"]["oneOf"]
LEAF_STEP_BRANCHES = [b for b in STEP_BRANCHES if not _nests_steps(resolve(b))]
STEP_KIND_OF = {def_name(b): next(iter(resolve(b)["required"])) for b in STEP_BRANCHES}


@dataclass(frozen=True)
class Site:
    """A generated node: where it is and the schema it satisfies (``union`` when that schema is an
    ``anyOf``, so replacing the node may still satisfy another branch)."""

    path: JsonPath
    schema: dict[str, Any]
    required: bool  # the key must be present in its parent object
    step: bool = False  # a step (a mapping with a kind key)


@dataclass
class Drawn:
    """A valid document and its sites; ``covered`` lists ``(schema location, property)`` pairs it uses."""

    data: Any
    sites: list[Site] = field(default_factory=list)
    covered: set[tuple[str, str]] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------- values
_TEMPLATES = st.sampled_from(["{{ input.x }}", "{{ steps.a.id }}", "n={{ vars.n }}", "{{ [1, 2] }}", "plain"])
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    _TEMPLATES,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=5,
)


# Strategies are built once per distinct constraint: building and validating them per draw dominated the
# run time.
@cache
def _strings(pattern: str | None, low: int, high: int) -> st.SearchStrategy[str]:
    if pattern is not None:
        matching = st.from_regex(ecma_regex(pattern), fullmatch=True)
        return matching.filter(lambda text: low <= len(text) <= high)
    return st.text(min_size=low, max_size=min(high, 16)) | _TEMPLATES.filter(lambda text: len(text) >= low)


@cache
def _numbers(low: float | None, high: float | None, integer: bool) -> st.SearchStrategy[int | float]:
    ints = st.integers(
        min_value=math.ceil(low) if low is not None else -(2**40),
        max_value=math.floor(high) if high is not None else 2**40,
    )
    if integer:
        # JSON Schema counts 3.0 as an integer: the models must accept it too.
        return ints | ints.filter(lambda n: abs(n) < 2**52).map(float)
    return ints | st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@cache
def _counts(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@cache
def _keys(pattern: str | None) -> st.SearchStrategy[str]:
    return st.from_regex(ecma_regex(pattern), fullmatch=True) if pattern else st.text(max_size=8)


def _string(draw: st.DrawFn, schema: dict[str, Any]) -> str:
    return draw(_strings(schema.get("pattern"), schema.get("minLength", 0), schema.get("maxLength", 40)))


def _number(draw: st.DrawFn, schema: dict[str, Any], integer: bool) -> int | float:
    return draw(_numbers(schema.get("minimum"), schema.get("maximum"), integer))


_BOOLEANS = st.booleans()
_STEP_CHOICES = st.sampled_from(STEP_BRANCHES)
_LEAF_STEP_CHOICES = st.sampled_from(LEAF_STEP_BRANCHES)


# ---------------------------------------------------------------------------------------------- documents
class _Generator:
    """Draws a value for a schema node. ``full``: every optional property, non-empty lists and mappings,
    and the top-level steps hold one step of each kind (so one document covers nearly the whole language)."""

    def __init__(self, draw: st.DrawFn, drawn: Drawn, full: bool) -> None:
        self.draw = draw
        self.drawn = drawn
        self.full = full

    def value(
        self, schema: dict[str, Any], path: JsonPath, depth: int, required: bool, where: str,
        step: bool = False, branch: dict[str, Any] | None = None,
    ) -> Any:
        name = def_name(schema) or where
        node = resolve(schema)
        if "oneOf" in node:  # steps: each branch requires its own kind key and forbids the others
            chosen = branch or self.draw(_STEP_CHOICES if depth < MAX_DEPTH else _LEAF_STEP_CHOICES)
            return self.value(chosen, path, depth, required, where, step=True)
        self.drawn.sites.append(Site(path, node, required, step))
        return self._typed(node, path, depth, name)

    def _typed(self, node: dict[str, Any], path: JsonPath, depth: int, name: str) -> Any:
        if "anyOf" in node:  # a union, possibly inside another (``wait``: a duration, ``{for}``, ``{until}``)
            index = self.draw(_counts(0, len(node["anyOf"]) - 1))
            branch = node["anyOf"][index]
            return self._typed(resolve(branch), path, depth, def_name(branch) or f"{name}|{index}")
        kind = node.get("type")
        if isinstance(kind, list):
            kind = kind[self.draw(_counts(0, len(kind) - 1))]
        if "enum" in node:
            return node["enum"][self.draw(_counts(0, len(node["enum"]) - 1))]
        if kind is None:
            return self.draw(json_values)
        if kind == "string":
            return _string(self.draw, node)
        if kind in ("number", "integer"):
            return _number(self.draw, node, kind == "integer")
        if kind == "boolean":
            return self.draw(_BOOLEANS)
        if kind == "array":
            return self._array(node, path, depth, name)
        return self._object(node, path, depth, name)

    def _array(self, node: dict[str, Any], path: JsonPath, depth: int, name: str) -> list[Any]:
        items = node.get("items")
        is_steps = items is not None and def_name(items) == "step"
        low = node.get("minItems", 0)
        high = max(low, 0 if is_steps and depth >= MAX_DEPTH and low == 0 else 2)
        if self.full:
            low = min(max(low, 1), high)
        count = self.draw(_counts(low, high))
        if items is None:
            return [self.draw(json_values) for _ in range(count)]
        next_depth = depth + 1 if is_steps else depth
        if is_steps and self.full and depth == 0:
            return [
                self.value(items, (*path, i), 1, False, f"{name}[]", branch=branch)
                for i, branch in enumerate(STEP_BRANCHES)
            ]
        return [self.value(items, (*path, i), next_depth, False, f"{name}[]") for i in range(count)]

    def _object(self, node: dict[str, Any], path: JsonPath, depth: int, name: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", ()))
        # A quarter of the objects carry every optional property, the others about a third of them:
        # documents stay small (quick to draw) yet combine fields freely.
        every = self.full or self.draw(_counts(0, 3)) == 0
        for key, sub in properties.items():
            if key in required or every or self.draw(_counts(0, 2)) == 0:
                self.drawn.covered.add((name, key))
                result[key] = self.value(sub, (*path, key), depth, key in required, f"{name}.{key}")
        extra = node.get("additionalProperties", True)
        if extra is False:
            return result
        names = node.get("propertyNames")
        key_strategy = _keys(resolve(names)["pattern"] if names else None)
        low = max(node.get("minProperties", 0), 1 if self.full else 0)
        count = self.draw(_counts(low, max(low, 2)))
        for _ in range(count):
            key = self.draw(key_strategy.filter(lambda k: k not in properties and k not in result))
            self.drawn.covered.add((name, "*"))
            if extra is True:
                result[key] = self.draw(json_values)
            else:
                result[key] = self.value(extra, (*path, key), depth, False, f"{name}.*")
        return result


@st.composite
def documents(draw: st.DrawFn, full: bool = False) -> Drawn:
    """A valid definition (as plain data) with the sites it is made of; ``full``: with every field."""
    drawn = Drawn(None)
    drawn.data = _Generator(draw, drawn, full).value(_SCHEMA, (), 0, True, "definition")
    return drawn


def schema_properties() -> set[tuple[str, str]]:
    """Every ``(schema location, property)`` pair :func:`documents` can cover, named as it names them
    (``"*"`` stands for keys an object allows beyond its listed properties)."""
    found: set[tuple[str, str]] = set()
    visited: set[str] = set()

    def walk(schema: dict[str, Any], where: str) -> None:
        name = def_name(schema) or where
        if name in visited:
            return
        visited.add(name)
        node = resolve(schema)
        if "oneOf" in node:
            for branch in node["oneOf"]:
                walk(branch, where)
        else:
            walk_typed(node, name)

    def walk_typed(node: dict[str, Any], name: str) -> None:
        for index, branch in enumerate(node.get("anyOf", ())):
            walk_typed(resolve(branch), def_name(branch) or f"{name}|{index}")
        if "items" in node:
            walk(node["items"], f"{name}[]")
        for key, sub in node.get("properties", {}).items():
            found.add((name, key))
            walk(sub, f"{name}.{key}")
        extra = node.get("additionalProperties", True)
        if node.get("type") == "object" and extra is not False:
            found.add((name, "*"))
            if extra is not True:
                walk(extra, f"{name}.*")

    walk(_SCHEMA, "definition")
    return found


# ---------------------------------------------------------------------------------------------- mutants
REPLACEMENTS: list[Any] = [
    None, True, False, 0, 1, -1, 2.5, 3.0, -0.5, 2**31 - 1, 2**31, 1e10, 3153600000, 3153600001,
    "", "x", "1abc", "a b", "a-b", "abc\n", "ü", "0100%", "100.5%", "50%", "07%", "100.0%", "\u0665%", "5",
    "30s", [], ["x"], [{}], {}, {"k": 1}, {"activity": "a"},
    # Template strings: exactly one ``{{ ... }}`` may stand for a number (foreach concurrency, tolerance).
    "{{ input.n }}", "{{ input.n | default(4) }}", "{{}}", " {{ input.n }}", "{{ a }}{{ b }}",
    "{{ {'a': 1} }}",
]
BAD_NAMES = ["", "1abc", "a b", "a-b", "a.b", "abc\n", "ü", "$x", "x!"]


@dataclass(frozen=True)
class Mutant:
    """A document changed in one place (``kind`` at ``path``); ``expected`` is the oracle's verdict."""

    data: Any
    kind: str
    path: JsonPath
    expected: bool


def _get(data: Any, path: JsonPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: JsonPath, value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(data)
    _get(copied, path[:-1])[path[-1]] = value
    return copied


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "number" or isinstance(value, int) or float(value).is_integer()


def expected_valid(value: Any, schema: dict[str, Any] = _SCHEMA) -> bool:
    """Whether ``value`` satisfies ``schema``: a small validator, independent of both implementations under
    test, that knows every keyword the published schema uses (patterns with ECMA-262 ``$``)."""
    node = resolve(schema)
    unknown = set(node) - _KNOWN_KEYWORDS
    assert not unknown, f"the oracle does not know {unknown}"
    if "anyOf" in node:
        return any(expected_valid(value, branch) for branch in node["anyOf"])
    if "oneOf" in node:
        return sum(expected_valid(value, branch) for branch in node["oneOf"]) == 1
    if "enum" in node and not any(value == e and type(value) is type(e) for e in node["enum"]):
        return False
    kinds = node.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(value, kind) for kind in kinds):
            return False
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and not node.get("minimum", -math.inf) <= value <= node.get("maximum", math.inf):
        return False
    if isinstance(value, str):
        if not node.get("minLength", 0) <= len(value) <= node.get("maxLength", math.inf):
            return False
        if "pattern" in node and not ecma_regex(node["pattern"]).search(value):
            return False
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            return False
        if "items" in node and not all(expected_valid(item, node["items"]) for item in value):
            return False
    if isinstance(value, dict):
        if len(value) < node.get("minProperties", 0) or not set(node.get("required", ())) <= set(value):
            return False
        properties = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            if "propertyNames" in node and not expected_valid(key, node["propertyNames"]):
                return False
            if key in properties:
                if not expected_valid(item, properties[key]):
                    return False
            elif extra is False or (extra is not True and not expected_valid(item, extra)):
                return False
    return True


_KNOWN_KEYWORDS = {
    "$schema", "$id", "$defs", "title", "description", "default", "type", "enum", "anyOf", "oneOf",
    "properties", "required", "additionalProperties", "propertyNames", "minProperties", "items", "minItems",
    "pattern", "minLength", "maxLength", "minimum", "maximum",
}
KIND_KEYS = sorted(STEP_KIND_OF.values())


CHANGES = (
    "replace", "regenerate", "null", "drop", "extra_key", "bad_key", "drop_required", "bad_name",
    "second_kind", "no_kind",
)
_CHANGES = st.sampled_from(CHANGES)


def _applies(kind: str, site: Site, current: Any) -> bool:
    if kind in ("replace", "regenerate", "null"):
        return True
    if kind == "drop":
        return bool(site.path)
    if kind in ("extra_key", "bad_key"):
        return isinstance(current, dict)
    if kind == "drop_required":
        return isinstance(current, dict) and bool(site.schema.get("required"))
    if kind == "bad_name":
        return "pattern" in site.schema
    return site.step


@st.composite
def mutants(draw: st.DrawFn) -> Mutant:
    """A valid document changed in one place; the oracle says whether it is still valid."""
    drawn = draw(documents())
    data = drawn.data
    # The kind of change first, then a site it applies to: every kind gets its share of examples.
    kind = draw(_CHANGES)
    sites = [site for site in drawn.sites if _applies(kind, site, _get(data, site.path))]
    if not sites:
        kind, sites = "replace", drawn.sites
    optional = [site for site in sites if not site.required]
    required = [site for site in sites if site.required]
    if kind == "drop" and optional and required:
        # Both kinds of drop by a coin toss: the first site (what Hypothesis draws most) is often optional,
        # so without this, invalid drops depend on the examples drawn, which shift with every constant in the
        # project's modules (Hypothesis mixes those into generation).
        sites = optional if draw(st.booleans()) else required
    site = draw(st.sampled_from(sites))
    current = _get(data, site.path)
    if kind == "replace":
        changed = _set(data, site.path, draw(st.sampled_from(REPLACEMENTS)))
    elif kind == "regenerate":  # another valid value for the same place (a valid mutant, usually)
        fresh = _Generator(draw, Drawn(None), full=False)
        value = fresh.value(site.schema, site.path, MAX_DEPTH, site.required, "regenerated")
        changed = _set(data, site.path, value)
    elif kind == "null":
        changed = _set(data, site.path, None)
    elif kind == "drop":
        parent = copy.deepcopy(_get(data, site.path[:-1]))
        del parent[site.path[-1]]
        changed = _set(data, site.path[:-1], parent)
    elif kind == "extra_key":
        changed = _set(data, site.path, {**current, "zz_unknown": draw(st.sampled_from(REPLACEMENTS))})
    elif kind == "bad_key":
        changed = _set(data, site.path, {**current, draw(st.sampled_from(BAD_NAMES)): draw(json_values)})
    elif kind == "drop_required":
        key = draw(st.sampled_from(site.schema["required"]))
        changed = _set(data, site.path, {k: v for k, v in current.items() if k != key})
    elif kind == "bad_name":
        changed = _set(data, site.path, draw(st.sampled_from(BAD_NAMES)))
    else:
        own = next(k for k in KIND_KEYS if k in current)
        if kind == "second_kind":
            other = draw(st.sampled_from([k for k in KIND_KEYS if k != own]))
            changed = _set(data, site.path, {**current, other: draw(st.sampled_from(REPLACEMENTS))})
        else:
            changed = _set(data, site.path, {k: v for k, v in current.items() if k != own})
    return Mutant(changed, kind, site.path, expected_valid(changed))


__all__ = [
    "BAD_NAMES",
    "CHANGES",
    "KIND_KEYS",
    "REPLACEMENTS",
    "STEP_BRANCHES",
    "STEP_KIND_OF",
    "Drawn",
    "Mutant",
    "Site",
    "documents",
    "expected_valid",
    "json_values",
    "mutants",
    "schema_properties",
]
