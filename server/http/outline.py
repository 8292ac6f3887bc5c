"""A readable outline of a definition's steps (what ``GET /definitions/{name}`` shows).

Each step becomes ``{kind, id, name, ...}`` with the few facts a reader needs (the activity it calls and its
compensation, the signals it waits for, the definition of a child...) and its nested steps under
``steps``/``branches``/``cases``, so a client can draw the flow without parsing the YAML.
"""

from __future__ import annotations

from typing import Any

from tdsl.dsl_schema.models import step_kind

__all__ = ["outline_steps"]


def outline_steps(steps: Any) -> list[dict[str, Any]]:
    """The outline of a step list given as plain data."""
    return [_step(step) for step in steps] if isinstance(steps, list) else []


def _step(step: Any) -> dict[str, Any]:
    if not isinstance(step, dict):
        return {"kind": "unknown"}
    kind = step_kind(step) or "unknown"
    node: dict[str, Any] = {"kind": kind}
    for key in ("id", "name", "if"):
        if key in step:
            node[key] = step[key]
    body = step.get(kind)
    if kind == "activity":
        node["activity"] = body
        if isinstance(step.get("compensate"), dict):
            node["compensate"] = step["compensate"].get("activity")
    elif kind == "set" and isinstance(body, dict):
        node["vars"] = sorted(body)
    elif kind == "wait":
        node["wait"] = body
    elif kind == "wait_for" and isinstance(body, dict):
        signals = body.get("signals")
        if isinstance(signals, dict):
            node["signals"] = sorted(signals)
            node["branches"] = {name: outline_steps(steps) for name, steps in signals.items()}
        else:
            node["signals"] = signals
        if "timeout" in body:
            node["timeout"] = body["timeout"]
        if "on_timeout" in body:
            node["on_timeout"] = outline_steps(body["on_timeout"])
    elif kind == "switch" and isinstance(body, dict):
        node["cases"] = [
            {"if": case.get("if"), "steps": outline_steps(case.get("steps"))}
            for case in body.get("cases") or []
            if isinstance(case, dict)
        ]
        if "default" in body:
            node["default"] = outline_steps(body["default"])
    elif kind == "parallel" and isinstance(body, dict):
        node["mode"] = body.get("mode", "all")
        branches = body.get("branches")
        if isinstance(branches, dict):
            node["branches"] = {name: outline_steps(steps) for name, steps in branches.items()}
    elif kind == "foreach" and isinstance(body, dict):
        node.update({k: body[k] for k in ("items", "as", "concurrency") if k in body})
        node["steps"] = outline_steps(body.get("steps"))
    elif kind == "while" and isinstance(body, dict):
        node.update({k: body[k] for k in ("condition", "max_iterations") if k in body})
        node["steps"] = outline_steps(body.get("steps"))
    elif kind == "try":
        node["steps"] = outline_steps(body)
        node["catch"] = [
            {"errors": clause.get("errors"), "steps": outline_steps(clause.get("steps"))}
            for clause in step.get("catch") or []
            if isinstance(clause, dict)
        ]
        if "finally" in step:
            node["finally"] = outline_steps(step["finally"])
    elif kind == "child" and isinstance(body, dict):
        node["definition"] = body.get("definition")
        node["wait"] = body.get("wait", True)
        if isinstance(step.get("compensate"), dict):
            node["compensate"] = step["compensate"].get("activity")
    elif kind == "fail":
        node["fail"] = body.get("type", "WorkflowFailed") if isinstance(body, dict) else "WorkflowFailed"
    return node
