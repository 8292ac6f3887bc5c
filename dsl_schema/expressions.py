"""Sandboxed, native-typed Jinja2 expressions.

A string that is exactly one ``{{ ... }}`` evaluates to the expression's native value (number, list, mapping,
bool, ``None``); any other string containing ``{{`` or ``{%`` renders as text; other values pass through.
Lists and mappings are rendered recursively (keys are never rendered). Values in the context (run input,
activity results, signal payloads) are data: they are never themselves rendered as templates.

The environment is Jinja2's immutable sandbox with strict undefined: an unknown name or attribute raises
:class:`ExpressionError`. Non-deterministic helpers (the ``random`` filter, ``lipsum``, ``cycler``) are
removed, so the same context always gives the same value, which workflow replay requires. Compiled
templates are cached by their text.

Values are data (what JSON can carry): lazy sequences that filters return (``map``, ``select``, ``unique``,
``range``, ...) become lists, mapping keys become strings, and anything else (a function, a class, a
template object) is an error rather than a value whose text would hold a memory address that differs
between a run and its replay.

Bounds (:mod:`.expression_limits`): an expression longer, with more tokens or nested deeper than the limits
is refused when it is compiled (:class:`ExpressionOverLimit`, before Jinja2's recursive parser and code
generator could overflow the stack); evaluation refuses powers, repetitions, concatenations, ranges and texts
over the size bounds the same way. The checks look only at values, never at the clock, so a replay fails at
the same place as the run did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tdsl.errors import LanguageError

from . import expression_limits as limits

__all__ = [
    "NON_DETERMINISTIC_NAMES",
    "ExpressionError",
    "ExpressionOverLimit",
    "NotData",
    "compile_template",
    "evaluate",
    "is_template",
    "parse_ast",
    "render",
    "single_expression",
    "to_data",
]

_SINGLE = re.compile(r"^\s*\{\{(?P<expr>.*?)\}\}\s*$", re.DOTALL)
NON_DETERMINISTIC_NAMES = frozenset({"random", "lipsum", "cycler"})


class ExpressionError(LanguageError):
    """An expression failed to compile or evaluate. ``expression`` holds its source text."""

    def __init__(self, message: str, expression: str) -> None:
        super().__init__(message)
        self.expression = expression

    @property
    def record_details(self) -> Any:
        return {"expression": self.expression}

    def __str__(self) -> str:
        return f"{self.message} in expression {self.expression!r}"


class ExpressionOverLimit(ExpressionError):
    """An expression is over a limit: too long, too many tokens, nested too deeply (when it is compiled), or
    a value over a size bound (when it is evaluated: a big power, repetition, range or text)."""


class NotData(LanguageError, TypeError):
    """An expression produced something that is not data (a function, a class, a template object)."""


_SCALARS = (str, int, float, bool, type(None))


def _key(key: Any) -> str:
    if isinstance(key, bool) or key is None:
        return "null" if key is None else str(key).lower()
    if isinstance(key, str | int | float):
        return str(key)
    raise NotData(f"a mapping key must be text or a number, not a {type(key).__name__}")


def to_data(value: Any) -> Any:
    """``value`` as JSON-like data: lazy sequences become lists, keys strings; raise :class:`NotData` for
    values that are not data. Returns ``value`` itself when it already is data (no copy)."""
    kind = type(value)  # exact types first: isinstance() is wrapped (slow) inside the workflow sandbox
    if kind in _SCALARS:
        return value
    if isinstance(value, _SCALARS):
        return _scalar(value)
    if kind is dict or isinstance(value, dict):
        items = [(k, to_data(v)) for k, v in value.items()]
        if all(type(k) is str and v is value[k] for k, v in items):
            return value
        return {_key(k): v for k, v in items}
    if kind is list or isinstance(value, list):
        converted = [to_data(v) for v in value]
        return value if all(a is b for a, b in zip(converted, value, strict=True)) else converted
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, Iterable) and not isinstance(value, Mapping | set | frozenset):
        # tuples, generators from filters, ranges, dict views: in their given (deterministic) order
        return [to_data(v) for v in value]
    raise NotData(f"the value is a {type(value).__name__}, not data (text, a number, true/false, none, "
                  "a list or a mapping)")


def _scalar(value: Any) -> Any:
    """Subclasses of the JSON scalars (``Markup`` from ``escape``, enum members) as the plain type."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def _finalize(value: Any) -> Any:
    """What ``{{ ... }}`` inside text prints: data only (a generator would print its memory address)."""
    return value if isinstance(value, _SCALARS) else to_data(value)


def _to_json(value: Any) -> str:
    return json.dumps(to_data(value), sort_keys=True)


def _from_json(text: str) -> Any:
    return json.loads(text)


class _DataSandbox(limits.BoundedSandbox):
    """Jinja2's immutable sandbox, with bounded operations (:class:`.expression_limits.BoundedSandbox`),
    where ``mapping.key`` means the key first, so data keys such as ``items``, ``keys`` or ``values`` are
    not shadowed by dict methods (``input.items`` is the order's items)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if (type(obj) is dict or isinstance(obj, Mapping)) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _make_environment() -> ImmutableSandboxedEnvironment:
    # Jinja2 folds constant parts at compile time; nothing unbounded can be folded: the operators that build
    # big values are intercepted, and every filter takes the context (the bounds count work in it)
    env = _DataSandbox(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, finalize=_finalize
    )
    for name in NON_DETERMINISTIC_NAMES:
        env.filters.pop(name, None)
        env.globals.pop(name, None)
    env.filters["to_json"] = _to_json
    env.filters["from_json"] = _from_json
    limits.bound_filters(env)
    return env


_ENV = _make_environment()


def is_template(text: str) -> bool:
    """Whether a string contains Jinja2 markup (and so is rendered rather than taken literally)."""
    return "{{" in text or "{%" in text or "{#" in text


def single_expression(text: str) -> str | None:
    """The inner expression when ``text`` is exactly one ``{{ ... }}``, else ``None``."""
    match = _SINGLE.match(text)
    if match is None or "}}" in match.group("expr") or "{{" in match.group("expr"):
        return None
    return match.group("expr").strip()


@lru_cache(maxsize=4096)
def compile_template(text: str) -> Callable[[Mapping[str, Any]], Any]:
    """Compile ``text`` once; the result maps a context to the (native or text) value."""
    expr = single_expression(text)
    parse_ast(text)  # the limits, checked before Jinja2 compiles (its code generator recurses per level)
    try:
        if expr is not None:
            compiled_expr = _ENV.compile_expression(expr, undefined_to_none=False)

            def evaluate_native(context: Mapping[str, Any]) -> Any:
                # the mapping itself, not ``**context``: one copy of the context fewer per evaluation
                return to_data(compiled_expr(context))

            return evaluate_native
        template = _ENV.from_string(text)
    except TemplateSyntaxError as err:
        raise ExpressionError(f"syntax error: {err.message}", text) from None
    except RecursionError:
        raise ExpressionOverLimit("the expression is nested too deeply", text) from None

    def render_text(context: Mapping[str, Any]) -> str:
        return limits.bounded_render(template, context)

    return render_text


def evaluate(text: str, context: Mapping[str, Any]) -> Any:
    """Evaluate one template string against ``context``."""
    if not is_template(text):
        return text
    func = compile_template(text)
    try:
        return func(context)
    except limits.OverBound as err:
        raise ExpressionOverLimit(str(err), text) from None
    except RecursionError:
        raise ExpressionOverLimit("the expression is nested too deeply to evaluate", text) from None
    except UndefinedError as err:
        raise ExpressionError(f"undefined: {err.message}", text) from None
    except SecurityError as err:
        raise ExpressionError(f"refused by the sandbox: {err}", text) from None
    except NotData as err:
        raise ExpressionError(str(err), text) from None
    except TemplateError as err:
        raise ExpressionError(f"template error: {err}", text) from None
    except Exception as err:  # any runtime error inside an expression (division by zero, bad types, ...)
        raise ExpressionError(f"{type(err).__name__}: {err}", text) from None


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render ``value`` recursively: strings are templates, lists and mapping values are rendered."""
    kind = type(value)  # exact types first: isinstance() is wrapped (slow) inside the workflow sandbox
    if kind is str or (kind not in _PLAIN and isinstance(value, str)):
        return evaluate(value, context)
    if kind is list or (kind not in _PLAIN and isinstance(value, list)):
        return [render(item, context) for item in value]
    if kind is dict or (kind not in _PLAIN and isinstance(value, dict)):
        return {key: render(item, context) for key, item in value.items()}
    return value


_PLAIN = frozenset({int, float, bool, type(None)})


def parse_ast(text: str) -> nodes.Template:
    """Parse a template string into Jinja2's AST (for static checks); raises :class:`ExpressionError`."""
    expr = single_expression(text)
    _check_size(text, expr)
    source = f"{{{{ {expr} }}}}" if expr is not None else text
    try:
        tree = _ENV.parse(source)
        limits.check_tree(tree)
    except TemplateSyntaxError as err:
        raise ExpressionError(f"syntax error: {err.message}", text) from None
    except RecursionError:
        raise ExpressionOverLimit("the expression is nested too deeply", text) from None
    except limits.OverBound as err:
        raise ExpressionOverLimit(str(err), text) from None
    return tree


def _check_size(text: str, expr: str | None) -> None:
    """Refuse a template over the length, token or nesting limits before Jinja2 parses it (its parser and
    code generator recurse per level: 70 parentheses or a 1,000-term sum overflow the stack)."""
    try:
        limits.check_source(_ENV, text if expr is None else f"{{{{ {expr} }}}}")
    except limits.OverBound as err:
        raise ExpressionOverLimit(str(err), text) from None
    except TemplateSyntaxError as err:
        raise ExpressionError(f"syntax error: {err.message}", text) from None
