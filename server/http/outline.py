"""A readable outline of a definition's steps (what ``GET /definitions/{name}`` shows).

Each step becomes ``{kind, id, name, ...}`` with the few facts a reader needs (the activity it calls and its
compensation, the signals it waits for, the definition of a child...) and its nested steps under
``steps``/``branches``/``cases``, so a client can draw the flow without parsing the YAML. What each kind shows
is part of its declaration (``StepKind.outline`` in ``dsl_schema/kinds/``).
"""

from __future__ import annotations

from typing import Any

from tdsl.dsl_schema.kinds import kind_of
from tdsl.dsl_schema.kinds.base import ABSENT, Clauses, Fact, Lists

__all__ = ["outline_steps"]


def outline_steps(steps: Any) -> list[dict[str, Any]]:
    """The outline of a step list given as plain data."""
    return [_step(step) for step in steps] if isinstance(steps, list) else []


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return ABSENT
        data = data[key]
    return data


def _step(step: Any) -> dict[str, Any]:
    if not isinstance(step, dict):
        return {"kind": "unknown"}
    kind = kind_of(step)
    node: dict[str, Any] = {"kind": kind.key if kind is not None else "unknown"}
    for key in ("id", "name", "if"):
        if key in step:
            node[key] = step[key]
    for part in kind.outline if kind is not None else ():
        value = _at(step, part.path)
        if isinstance(part, Fact):
            if value is ABSENT:
                value = part.default
            elif part.keys and isinstance(value, dict):
                value = sorted(value)
            if value is not ABSENT:
                node[part.label] = value
        elif isinstance(part, Lists):
            if part.keyed:
                if isinstance(value, dict):
                    node[part.label] = {name: outline_steps(steps) for name, steps in value.items()}
            elif value is not ABSENT or part.always:
                node[part.label] = outline_steps(value)
        elif isinstance(part, Clauses):
            node[part.label] = [
                {**{key: clause.get(key) for key in part.facts},
                 **{key: clause[key] for key in part.optional if key in clause},
                 "steps": outline_steps(clause.get(part.steps))}
                for clause in (value if isinstance(value, list) else [])
                if isinstance(clause, dict)
            ]
    return node
