"""Evaluation is bounded: an expression that would build a huge value, or work without end, fails at once
with :class:`ExpressionOverLimit` (the same way every time: the bounds look at values, not at the clock)."""

from __future__ import annotations

from typing import Any

import pytest

from tdsl.dsl_schema.expressions import ExpressionError, ExpressionOverLimit, evaluate

OVER = [
    ("{{ 9 ** 999999999 }}", "9 ** 999999999 is over 10,000 bits"),
    ("{{ 'a' * 10**10 }}", "a repetition 1 x 10,000,000,000 long (at most 1,000,000)"),
    ("{{ [1] * input.n }}", "a repetition 1 x 10,000,000,000 long (at most 1,000,000)"),
    ("{{ 2 ** input.n }}", "2 ** 10000000000 is over 10,000 bits"),
    ("{{ range(input.n) | list }}", "range of 10,000,000,000 numbers (at most 1,000,000)"),
    ("{{ 'x' | center(999999999) }}", "filter 'center' wider than 1,000,000"),
    ("{{ 'x'.rjust(999999999) }}", "str.rjust wider than 1,000,000"),
    ("{{ '%999999999d' % 1 }}", "a format width over 1,000,000"),
    ("{{ '{:>999999999}'.format(1) }}", "a format width over 1,000,000"),
    ("{{ '{:>{}}'.format(1, input.n) }}", "a format width over 1,000,000"),
    ("{{ 'aaa' | replace('a', 'x' * 400000) }}", "a replacement 1,200,003 long (at most 1,000,000)"),
    ("{% set ns = namespace(x='ab') %}{% for i in range(100) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
     "a concatenation 1,048,576 long (at most 1,000,000)"),
    ("{% set ns = namespace(x='ab') %}{% for i in range(100) %}{% set ns.x = ns.x + ns.x %}{% endfor %}",
     "a concatenation 1,048,576 long (at most 1,000,000)"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
     "the evaluation takes more than 2,000,000 operations"),
    ("{% set l = [0] * 100000 %}{% for i in range(10000) %}{{ l | sum }}{% endfor %}",
     "the evaluation takes more than 2,000,000 operations"),
    ("{% set l = [0] * 100000 %}{% for i in range(10000) %}{% if -1 in l %}{% endif %}{% endfor %}",
     "the evaluation takes more than 2,000,000 operations"),
    ("{% set l = [0] * 100000 %}{% for i in range(10000) %}{% set m = l + [] %}{% endfor %}",
     "the evaluation takes more than 2,000,000 operations"),
    ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
     "the template renders more than 1,000,000 characters"),
    ("{{ " + " + ".join(["1"] * 600) + " }}", "the expression has more than 1,000 tokens"),
    ("{% set ns = namespace(x=[]) %}{% for i in range(25) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}"
     "{{ ns.x | tojson }}",
     "a value of 1,048,575 items once its shared parts are written out (at most 1,000,000)"),
    ("{% set a = [1] %}" + "{% set a = [a, a] %}" * 25 + "{{ a | tojson }}",
     "a value of 1,572,863 items once its shared parts are written out (at most 1,000,000)"),
]


@pytest.mark.parametrize(("template", "message"), OVER, ids=[t[:40] for t, _ in OVER])
def test_an_evaluation_over_a_bound_fails_at_once(template: str, message: str) -> None:
    for _ in range(2):  # the same answer again (replay), also from the compiled-template cache
        with pytest.raises(ExpressionOverLimit) as caught:
            evaluate(template, {"input": {"n": 10**10}})
        assert caught.value.message == message
        assert caught.value.expression == template
        assert isinstance(caught.value, ExpressionError)


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("{{ 2 ** 64 }}", 2**64),
        ("{{ [1, 2] * 3 }}", [1, 2, 1, 2, 1, 2]),
        ("{{ 'ab' ~ 'c' ~ 3 }}", "abc3"),
        ("{{ range(3) | list }}", [0, 1, 2]),
        ("{{ '%05d' % 3 }}", "00003"),
        ("{{ '{:>5}'.format(1) }}", "    1"),
        ("{{ 'x' | center(5) }}", "  x  "),
        ("{{ input.items | map(attribute='q') | sum }}", 5),
        ("{% for i in range(3) %}{{ i }}{% endfor %}", "012"),
        ("{% for i in range(3) %}{{ loop.index }}/{{ loop.length }}{% else %}none{% endfor %}", "1/32/33/3"),
        ("{% for i in [] %}x{% else %}none{% endfor %}", "none"),
        ("{{ 2 in [1, 2] and 3 not in [1, 2] and 'a' in 'abc' }}", True),
        ("{{ input.items | selectattr('q', 'gt', 2) | map(attribute='q') | list }}", [3]),
        ("{{ ('x' * 1000000) | length }}", 1_000_000),
    ],
)
def test_values_within_the_bounds_are_unchanged(template: str, value: Any) -> None:
    assert evaluate(template, {"input": {"items": [{"q": 2}, {"q": 3}]}}) == value
