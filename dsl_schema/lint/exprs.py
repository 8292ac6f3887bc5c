"""Static analysis of one expression (a template string) for the linter.

:func:`analyze` parses a template once (results are cached by its text) and lists what the checks need: the
free top-level names it reads, the ``name.attr`` / ``name['key']`` references under them (``steps.payment``,
``vars.total``, ``signals.approve``, ``workflow.now``), which references are guarded by ``is defined`` /
``default`` / ``'x' in steps`` (and so may be absent without failing), the filters and tests it uses,
attributes the sandbox refuses, and its constant value when the expression is a literal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import nodes

from .. import expression_limits as limits
from ..expressions import _ENV as ENVIRONMENT
from ..expressions import ExpressionError, ExpressionOverLimit, evaluate, parse_ast, single_expression

NOT_CONSTANT: Any = object()
"""The :attr:`Analysis.constant` of an expression that is not a literal."""

# Tests and filters that make an absent name safe to mention.
_GUARD_TESTS = frozenset({"defined", "undefined"})
_GUARD_FILTERS = frozenset({"default", "d"})
# Mapping methods: ``steps.get('x')`` calls dict.get rather than naming a step ``get``.
_METHODS = frozenset({"get", "items", "keys", "values"})


@dataclass(frozen=True)
class Ref:
    """``root.name`` (or ``root['name']``) where ``root`` is a free name of the expression."""

    root: str
    name: str

    def needles(self) -> tuple[str, ...]:
        """Spellings to look for in the source, most specific first."""
        return (f"{self.root}.{self.name}", f"{self.root}['{self.name}']", f'{self.root}["{self.name}"]',
                self.name)


@dataclass(frozen=True)
class Analysis:
    """What one template reads and uses. ``error`` is set (and the rest empty) when it does not parse."""

    error: str | None = None
    over_limit: bool = False
    """``error`` is a limit of :mod:`..expression_limits` (E120) rather than a syntax error (E300)."""
    bound: str | None = None
    """Why evaluating the expression is over a bound whatever the context (E121), when it is."""
    names: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    guarded: frozenset[tuple[str, str]] = frozenset()
    guarded_names: frozenset[str] = frozenset()
    whole: frozenset[str] = frozenset()
    filters: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    private: tuple[str, ...] = ()
    constant: Any = NOT_CONSTANT


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _refs_under(node: nodes.Node) -> Iterator[tuple[str, str]]:
    """``(root, name)`` of every reference inside ``node`` (including ``node`` itself), and ``(name, "")``
    for bare names."""
    for sub in _walk(node):
        ref = _ref_of(sub)
        if ref is not None:
            yield ref
        elif isinstance(sub, nodes.Name):
            yield (sub.name, "")


def _ref_of(node: nodes.Node) -> tuple[str, str] | None:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return node.node.name, node.attr
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.node.name, node.arg.value
    return None


def _guard(node: nodes.Node, guarded: set[tuple[str, str]], guarded_names: set[str]) -> None:
    for root, name in _refs_under(node):
        if name:
            guarded.add((root, name))
        else:
            guarded_names.add(root)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@lru_cache(maxsize=32768)
def analyze(text: str) -> Analysis:
    """Analyse the template ``text`` (cached by text)."""
    try:
        tree = parse_ast(text)
    except ExpressionError as err:
        return Analysis(error=err.message, over_limit=isinstance(err, ExpressionOverLimit))
    loads: list[str] = []
    bound: set[str] = set()
    raw_refs: list[tuple[str, str]] = []
    guarded: set[tuple[str, str]] = set()
    guarded_names: set[str] = set()
    filters: list[str] = []
    tests: list[str] = []
    private: list[str] = []
    method_nodes: set[int] = set()
    roots: set[int] = set()  # Name nodes under a reference (``steps`` in ``steps.x``)
    whole: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                loads.append(node.name)
                if id(node) not in roots:
                    whole.add(node.name)
            else:
                bound.add(node.name)
        elif isinstance(node, nodes.For):
            bound.add("loop")
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            bound.update(("caller", "varargs", "kwargs"))
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            method_nodes.add(id(node.node))
            target = node.node
            if (
                isinstance(target.node, nodes.Name)
                and target.attr in _METHODS
                and node.args
                and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
            ):
                # steps.get('x') reads step x when it exists: a guarded reference
                raw_refs.append((target.node.name, node.args[0].value))
                guarded.add((target.node.name, node.args[0].value))
        elif isinstance(node, nodes.Test):
            tests.append(node.name)
            if node.name in _GUARD_TESTS:
                _guard(node.node, guarded, guarded_names)
        elif isinstance(node, nodes.Filter):
            filters.append(node.name)
            if node.name in _GUARD_FILTERS and node.node is not None:
                _guard(node.node, guarded, guarded_names)
        elif isinstance(node, nodes.Compare):
            for operand in node.ops:
                if (
                    operand.op in ("in", "notin")
                    and isinstance(operand.expr, nodes.Name)
                    and isinstance(node.expr, nodes.Const)
                    and isinstance(node.expr.value, str)
                ):
                    guarded.add((operand.expr.name, node.expr.value))
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            private.append(node.attr)
        ref = _ref_of(node)
        if ref is not None:
            if id(node) in method_nodes and ref[1] in _METHODS:
                whole.add(ref[0])  # vars.items(): reads them all
            else:
                raw_refs.append(ref)
            roots.add(id(node.node))  # type: ignore[attr-defined]
    free = [name for name in loads if name not in bound]
    free_set = set(free)
    refs = tuple(Ref(root, name) for root, name in dict.fromkeys(raw_refs) if root in free_set)
    return Analysis(
        names=_unique(free),
        refs=refs,
        guarded=frozenset(guarded),
        guarded_names=frozenset(guarded_names),
        whole=frozenset(whole),
        filters=_unique(filters),
        tests=_unique(tests),
        private=_unique(private),
        constant=_constant(text, tree),
        bound=_over_bound(text, free),
    )


def _over_bound(text: str, free: list[str]) -> str | None:
    """The bound a template without free names (its value is fixed) is over: it is evaluated, bounded, with
    no context (``{{ 9 ** 999999999 }}``, ``{{ 'a' * 10**10 }}``)."""
    if any(name not in ENVIRONMENT.globals for name in free):
        return None
    try:
        evaluate(text, {})
    except ExpressionOverLimit as err:
        return err.message
    except (ExpressionError, limits.OverBound):
        return None
    return None


def _constant(text: str, tree: nodes.Template) -> Any:
    if single_expression(text) is None or len(tree.body) != 1:
        return NOT_CONSTANT
    output = tree.body[0]
    if isinstance(output, nodes.Output) and len(output.nodes) == 1:
        only = output.nodes[0]
        if isinstance(only, nodes.Const):
            return only.value
    return NOT_CONSTANT
