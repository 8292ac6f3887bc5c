"""The bounds of expressions: what a template may be (checked when it is compiled) and what evaluating it may
build (checked while it runs), so that one expression can neither overflow the stack, nor freeze a worker, nor
exhaust its memory.

Compile time (:func:`check_source`, :func:`check_tree`): at most :data:`MAX_TEMPLATE_CHARS` characters,
:data:`MAX_TOKENS` tokens, :data:`MAX_NESTING` open brackets at once and an expression tree
:data:`MAX_DEPTH` deep. Jinja2's parser and code generator recurse once per level, so a deeper expression
would end in a ``RecursionError`` instead of an answer.

Evaluation (:class:`BoundedSandbox`): a power whose result would have more than :data:`MAX_INT_BITS` bits, a
repetition, concatenation, formatting or filter whose text or list would be longer than :data:`MAX_SIZE`, a
``range`` of more than :data:`MAX_RANGE` numbers, and more than :data:`MAX_OPERATIONS` units of work (calls,
filters, operators, ``in`` tests, loop iterations, weighted by the size of what they work on) in one
evaluation raise :class:`OverBound` before the work is done. The checks
look at values and count operations: no clock, so a replay stops exactly where the run stopped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, Template, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer

MAX_TEMPLATE_CHARS = 20_000
"""Characters of one template string."""
MAX_TOKENS = 1_000
"""Tokens of one template string (``a + b`` is three)."""
MAX_NESTING = 20
"""Brackets open at once (``(``, ``[``, ``{``)."""
MAX_DEPTH = 50
"""Depth of an expression's tree (a sum of 60 terms is 60 deep)."""
MAX_SIZE = 1_000_000
"""Characters of a text, items of a list, built by one operation or filter, and characters a template
renders."""
MAX_INT_BITS = 10_000
"""Bits of an integer a power or a product builds (about 3,000 decimal digits)."""
MAX_RANGE = MAX_SIZE
"""Numbers of one ``range(...)``: a list like any other (a ``foreach`` over ``range(100000)`` is a real
fan-out, and each item it gives costs work in the evaluation that loops over it)."""
MAX_OPERATIONS = 2_000_000
"""Work of one evaluation: each call, filter, operator, ``in`` test and loop iteration counts one, plus the
length of the text or list it works on (sorting a list of a million items counts a million)."""

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_IGNORED = frozenset({"whitespace", "comment", "linecomment"})
_NUMBERS = re.compile(r"\d+")
# str methods whose integer arguments are a width or a count of the text they build
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap"})
# filters whose work does not grow with their input (the others count its length)
_CONSTANT_FILTERS = frozenset({"length", "count", "first", "last", "default", "d", "attr"})


class OverBound(Exception):
    """An expression is over one of the bounds (its message says which)."""


# ---------------------------------------------------------------------------------------------- compile time
def check_source(env: Environment, source: str) -> None:
    """Refuse ``source`` when it is over the length, token or bracket-nesting limits (the lexer is iterative:
    this never recurses)."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise OverBound(f"the template has {len(source):,} characters (at most {MAX_TEMPLATE_CHARS:,})")
    count = depth = 0
    for _, kind, value in env.lex(source):
        if kind in _IGNORED:
            continue
        count += 1
        if count > MAX_TOKENS:
            raise OverBound(f"the expression has more than {MAX_TOKENS:,} tokens")
        if kind != "operator":
            continue
        if value in _OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise OverBound(f"the expression nests more than {MAX_NESTING} brackets")
        elif value in _CLOSING:
            depth -= 1


def check_tree(tree: nodes.Node) -> None:
    """Refuse an expression tree deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    pending: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise OverBound(f"the expression is nested more than {MAX_DEPTH} levels deep (an operator, "
                            "call, filter or attribute counts one level)")
        pending.extend((child, depth + 1) for child in node.iter_child_nodes())


# ---------------------------------------------------------------------------------------------- evaluation
def charge(context: Context, count: int = 1) -> None:
    """Count ``count`` operations of the evaluation ``context`` belongs to (Jinja2 makes one context per
    evaluation, so the count needs no reset and is never shared by two runs); :class:`OverBound` past the
    budget."""
    state = vars(context)
    done = state.get(_OPERATIONS, 0) + count
    state[_OPERATIONS] = done
    if done > MAX_OPERATIONS:
        raise OverBound(f"the evaluation takes more than {MAX_OPERATIONS:,} operations")


_OPERATIONS = "bounded_operations"


def _work(value: Any) -> int:
    """What working on ``value`` costs: one, plus its length when it has one."""
    return 1 + len(value) if isinstance(value, str | list | tuple | dict | bytes) else 1


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


def check_value(value: Any, what: str) -> Any:
    """``value`` itself, or :class:`OverBound` when it is a text or list over :data:`MAX_SIZE`."""
    size = _sized(value)
    if size is not None and size > MAX_SIZE:
        raise OverBound(f"{what} is {size:,} long (at most {MAX_SIZE:,})")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise OverBound(f"{what} is a number over {MAX_INT_BITS:,} bits")
    return value


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**" and _int(left) and _int(right) and right > 0 and abs(left) > 1:
        if right * abs(left).bit_length() > MAX_INT_BITS + abs(left).bit_length():
            raise OverBound(f"{left} ** {right} is over {MAX_INT_BITS:,} bits")
    elif operator == "*":
        if _int(left) and _int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise OverBound(f"a product over {MAX_INT_BITS:,} bits")
            return
        sized, times = (left, right) if _int(right) else (right, left)
        size = _sized(sized)
        if size is not None and _int(times) and size * times > MAX_SIZE:
            raise OverBound(f"a repetition {size:,} x {times:,} long (at most {MAX_SIZE:,})")
    elif operator == "+":
        sizes = (_sized(left), _sized(right))
        if None not in sizes and sum(sizes) > MAX_SIZE:  # type: ignore[arg-type]
            raise OverBound(f"a concatenation {sum(sizes):,} long (at most {MAX_SIZE:,})")  # type: ignore
    elif operator == "%" and isinstance(left, str):
        _check_format(left, right if isinstance(right, tuple) else (right,))


def _check_format(text: str, args: tuple[Any, ...] | list[Any] | Mapping[str, Any]) -> None:
    """A ``%``/``format`` text whose widths (``%999999999d``, ``{:>999999999}``) are over the size bound."""
    if any(int(number) > MAX_SIZE for number in _NUMBERS.findall(text)):
        raise OverBound(f"a format width over {MAX_SIZE:,}")
    computed = "*" in text or _NESTED_FIELD.search(text) is not None  # a width taken from the arguments
    if computed and isinstance(args, tuple | list) and any(_int(a) and a > MAX_SIZE for a in args):
        raise OverBound(f"a format width over {MAX_SIZE:,}")


_NESTED_FIELD = re.compile(r"\{[^{}]*\{")


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    # the sandbox hands out ``str.format`` wrapped (``__wrapped__`` is the bound method)
    owner = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, str):
        if name in _WIDTH_METHODS and any(_int(a) and a > MAX_SIZE for a in (*args, *kwargs.values())):
            raise OverBound(f"str.{name} wider than {MAX_SIZE:,}")
        if name in ("format", "format_map"):
            _check_format(owner, args)
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            grown = len(owner) + owner.count(args[0]) * len(args[1]) if args[0] else len(owner) * len(args[1])
            if grown > MAX_SIZE:
                raise OverBound(f"a replacement {grown:,} long (at most {MAX_SIZE:,})")


@pass_context
def bounded_range(context: Context, *args: int) -> range:
    """``range`` of at most :data:`MAX_RANGE` numbers, counted as that many operations (a loop in a loop
    runs out of budget)."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise OverBound(f"range of {len(numbers):,} numbers (at most {MAX_RANGE:,})")
    charge(context, len(numbers))
    return numbers


def bounded_join(context: Context, parts: tuple[Any, ...]) -> str:
    """The ``~`` operator: the texts of ``parts`` joined, :class:`OverBound` past :data:`MAX_SIZE`."""
    charge(context)
    texts = [str(part) for part in parts]
    size = sum(map(len, texts))
    if size > MAX_SIZE:
        raise OverBound(f"a concatenation {size:,} long (at most {MAX_SIZE:,})")
    return "".join(texts)


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja2's code generator where ``a ~ b`` goes through :func:`bounded_join` (no sandbox hook sees it)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_join(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with the evaluation bounds: operators that can build big values are
    intercepted (``**``, ``*``, ``+``, ``%``), calls and filters are checked before and after, ``range`` is
    bounded, and calls and operators count against the evaluation's budget."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})
    code_generator_class = _BoundedCodeGenerator
    bounded_join = staticmethod(bounded_join)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        return super()._generate(_CountWork().visit(source), *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        charge(context)
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        check_value(result, f"the result of {operator!r}")
        charge(context, _work(result) - 1)
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        charge(__context, max([_work(owner), *(_work(a) for a in args[:1])]))
        _check_call(__obj, args, kwargs)
        return check_value(super().call(__context, __obj, *args, **kwargs), "the result of a call")



def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    passes = _PassArg.from_obj(func)
    constant = name in _CONSTANT_FILTERS

    @functools.wraps(func)
    def bounded(context: Context, *args: Any, **kwargs: Any) -> Any:
        charge(context, 1 if constant or not args else _work(args[0]))
        if name in _WIDTH_FILTERS and any(_int(a) and a > MAX_SIZE for a in (*args, *kwargs.values())):
            raise OverBound(f"filter {name!r} wider than {MAX_SIZE:,}")
        values = [a for a in args if isinstance(a, str)]
        if name == "format" and values:
            _check_format(values[0], args[1:])
        if name == "replace" and len(values) >= 3:
            text, old, new = values[:3]
            grown = len(text) + (text.count(old) if old else len(text)) * len(new)
            if grown > MAX_SIZE:
                raise OverBound(f"a replacement {grown:,} long (at most {MAX_SIZE:,})")
        if passes is _PassArg.context:
            args = (context, *args)
        elif passes is _PassArg.eval_context:
            args = (context.eval_ctx, *args)
        elif passes is _PassArg.environment:
            args = (context.environment, *args)
        return check_value(func(*args, **kwargs), f"the result of filter {name!r}")

    bounded.jinja_pass_arg = _PassArg.context  # type: ignore[attr-defined]  # the count needs the context
    return bounded


@pass_context
def _bounded_iter(context: Context, items: Any) -> Any:
    """A loop's items, each iteration counted."""
    for item in items:
        charge(context)
        yield item


@pass_context
def _bounded_contains(context: Context, container: Any, item: Any) -> bool:
    """``item in container``, counted by the size of ``container``."""
    charge(context, _work(container))
    return item in container


@pass_context
def _bounded_value(context: Context, value: Any) -> Any:
    """``value`` itself, once its size with every shared part counted each time it appears (what JSON or
    text would hold) is known to be within :data:`MAX_SIZE`: ``{% set x = [x, x] %}`` repeated doubles it
    while using hardly any memory, until it is written out. Counted by the distinct parts it walks."""
    sizes: dict[int, int] = {}
    pending: list[tuple[Any, bool]] = [(value, False)]
    while pending:
        node, done = pending.pop()
        if not isinstance(node, list | tuple | dict) or (not done and id(node) in sizes):
            continue
        children = list(node.values()) if isinstance(node, dict) else list(node)
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            continue
        charge(context, 1 + len(children))
        sizes[id(node)] = 1  # a part that holds itself counts once (never walked twice)
        pending.append((node, True))
        pending.extend((child, False) for child in children)
    total = sizes.get(id(value), 1)
    if total > MAX_SIZE:
        raise OverBound(f"a value of {total:,} items once its shared parts are written out "
                        f"(at most {MAX_SIZE:,})")
    return value


_ITERATE = "bounded_iteration"
_CONTAINS = "bounded_contains"
_VALUE = "bounded_value"


def bound_filters(env: Environment) -> None:
    """Wrap every filter of ``env`` with the size checks and the work count; add the two the rewritten
    trees use (:class:`_CountWork`)."""
    for name, func in list(env.filters.items()):
        env.filters[name] = _bounded_filter(name, func)
    env.filters[_ITERATE] = _bounded_iter
    env.filters[_CONTAINS] = _bounded_contains
    env.filters[_VALUE] = _bounded_value


class _CountWork(NodeTransformer):
    """Rewrites a template before it is compiled so that the work no sandbox hook sees is counted: each
    iteration of a ``for`` loop, ``in`` / ``not in`` tests (a linear search), and the size of each value a
    ``set`` assigns (:func:`_bounded_value`)."""

    def visit_Assign(self, node: nodes.Assign) -> nodes.Node:
        self.generic_visit(node)
        node.node = nodes.Filter(node.node, _VALUE, [], [], None, None, lineno=node.lineno)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _ITERATE, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        if len(node.ops) != 1 or node.ops[0].op not in ("in", "notin"):
            return node
        (operand,) = node.ops
        test = nodes.Filter(operand.expr, _CONTAINS, [node.expr], [], None, None, lineno=node.lineno)
        return nodes.Not(test, lineno=node.lineno) if operand.op == "notin" else test


def bounded_render(template: Template, context: Mapping[str, Any]) -> str:
    """``template.render(context)``, stopped once the text passes :data:`MAX_SIZE` characters."""
    parts: list[str] = []
    size = 0
    for part in template.generate(context):
        size += len(part)
        if size > MAX_SIZE:
            raise OverBound(f"the template renders more than {MAX_SIZE:,} characters")
        parts.append(part)
    return "".join(parts)
