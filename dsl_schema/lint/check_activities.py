"""Checks of activity calls against the activity registry: names, argument counts and keyword names.

``args`` are counted only when they are a literal list (each item is one argument, whatever it renders to);
``kwargs`` names are checked when ``kwargs`` is a literal mapping. Definitions pass keyword arguments by
name, so a positional-only parameter cannot be given as a keyword.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from ..diagnostics import Diagnostic
from ..loader import JsonPath
from .context import LintContext, did_you_mean

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@lru_cache(maxsize=1024)
def _signature(fn: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return None


def check(ctx: LintContext) -> Iterator[Diagnostic]:
    """Check every activity step and compensation."""
    if ctx.registry is None:
        return
    for info in ctx.outline.steps:
        if info.kind == "activity":
            yield from _call(ctx, info.data, info.path)
        compensate = info.data.get("compensate")
        if info.kind in ("activity", "child", "http") and isinstance(compensate, dict):
            yield from _call(ctx, compensate, (*info.path, "compensate"))


def _call(ctx: LintContext, spec: dict[str, Any], path: JsonPath) -> Iterator[Diagnostic]:
    name = spec.get("activity")
    if not isinstance(name, str) or not name:
        return
    registry = ctx.registry
    assert registry is not None
    fn = registry.function(name)
    if fn is None:
        hint = did_you_mean(name, registry.names()) or " (no activity module registers it)"
        yield ctx.at((*path, "activity"), "E400", f"unknown activity {name!r}{hint}")
        return
    signature = _signature(fn)
    if signature is not None:
        yield from _arguments(ctx, name, signature, spec, path)


def _describe(signature: inspect.Signature) -> str:
    parts = []
    for param in signature.parameters.values():
        if param.kind == param.VAR_POSITIONAL:
            parts.append(f"*{param.name}")
        elif param.kind == param.VAR_KEYWORD:
            parts.append(f"**{param.name}")
        elif param.default is not param.empty:
            parts.append(f"{param.name}={param.default!r}")
        else:
            parts.append(param.name)
    return ", ".join(parts)


def _arguments(ctx: LintContext, name: str, signature: inspect.Signature, spec: dict[str, Any],
               path: JsonPath) -> Iterator[Diagnostic]:
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in _POSITIONAL]
    var_positional = any(p.kind == p.VAR_POSITIONAL for p in params)
    var_keyword = any(p.kind == p.VAR_KEYWORD for p in params)
    by_keyword = {p.name: p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    args, kwargs = spec.get("args"), spec.get("kwargs")
    # None: computed by an expression, so unknown
    count = 0 if "args" not in spec else len(args) if isinstance(args, list) else None
    keywords = [] if "kwargs" not in spec else list(kwargs) if isinstance(kwargs, dict) else None
    signature_text = f"{name}({_describe(signature)})"
    args_path = (*path, "args") if "args" in spec else (*path, "activity")
    if count is not None and count > len(positional) and not var_positional:
        yield ctx.at(args_path, "E401", f"{signature_text} takes at most {len(positional)} positional "
                                      f"argument{'s' if len(positional) != 1 else ''} but {count} "
                                      f"{'was' if count == 1 else 'were'} given")
        return
    given = {p.name for p in positional[: count or 0]}
    for keyword in keywords or []:
        where = (*path, "kwargs", keyword)
        if keyword in given:
            yield ctx.at(where, "E403", f"argument {keyword!r} of {name} is given both by position and by "
                                      "keyword", key=True)
        elif keyword not in by_keyword and not var_keyword:
            yield ctx.at(where, "E402", f"{name} has no keyword argument {keyword!r}"
                                      f"{did_you_mean(keyword, by_keyword)} (signature: {signature_text})",
                       key=True)
    if count is None or keywords is None:
        return
    supplied = given | set(keywords or [])
    missing = [p.name for p in params if p.kind in (*_POSITIONAL, p.KEYWORD_ONLY)
               and p.default is p.empty and p.name not in supplied]
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        yield ctx.at(args_path, "E401", f"{signature_text} is missing required argument"
                                      f"{'s' if len(missing) > 1 else ''} {listed}")
