"""Expression semantics: native values, text, strict undefined, the sandbox, determinism, compile cache."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tdsl.dsl_schema.expressions import (
    ExpressionError,
    compile_template,
    evaluate,
    is_template,
    parse_ast,
    render,
    single_expression,
)

CONTEXT: dict[str, Any] = {
    "input": {
        "order_id": "A-1",
        "total": 59.9,
        "count": 3,
        "paid": True,
        "note": None,
        "items": [{"sku": "BOOK-1", "quantity": 2}, {"sku": "PEN-7", "quantity": 1}],
        "keys": ["k1"],
        "values": {"v": 1},
        "template": "{{ input.secret }}",
        "secret": "s3cr3t",
    },
    "vars": {"seen": [1, 2], "config": {"retries": 2}},
    "steps": {"payment": {"transaction_id": "txn_1"}},
}


def ev(text: str, context: dict[str, Any] | None = None) -> Any:
    return evaluate(text, CONTEXT if context is None else context)


# ------------------------------------------------------------------------------------------ native values
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{{ input.count }}", 3),
        ("{{ input.count + 1 }}", 4),
        ("{{ input.total * 2 }}", 119.8),
        ("{{ input.paid }}", True),
        ("{{ input.count > 5 }}", False),
        ("{{ input.note }}", None),
        ("{{ none }}", None),
        ("{{ input.items }}", CONTEXT["input"]["items"]),
        ("{{ input.items[0] }}", {"sku": "BOOK-1", "quantity": 2}),
        ("{{ [input.count, input.order_id] }}", [3, "A-1"]),
        ('{{ {"id": input.order_id, "n": input.count} }}', {"id": "A-1", "n": 3}),
        ("{{ input.items | length }}", 2),
        ("{{ input.items | map(attribute='sku') }}", ["BOOK-1", "PEN-7"]),
        ("{{ input.items | selectattr('quantity', 'gt', 1) | map(attribute='sku') | list }}", ["BOOK-1"]),
        ("{{ input.items | sum(attribute='quantity') }}", 3),
        ("{{ range(3) }}", [0, 1, 2]),
        ("{{ (1, 2) }}", [1, 2]),
        ("  {{ input.count }}  ", 3),
        ("{{ input.order_id }}", "A-1"),
        ("{{ steps.payment.transaction_id }}", "txn_1"),
    ],
)
def test_a_single_expression_gives_its_native_value(text: str, value: Any) -> None:
    result = ev(text)
    assert result == value
    assert type(result) is type(value)


def test_native_values_are_json_data() -> None:
    assert ev("{{ {1: 'one', none: 'nothing'} }}") == {"1": "one", "null": "nothing"}
    assert ev("{{ '<b>' | e }}") == "&lt;b&gt;" and type(ev("{{ '<b>' | e }}")) is str


@pytest.mark.parametrize("text", ["{{ self }}", "{{ namespace }}", "{{ dict }}", "{{ input.items.copy }}"])
def test_values_that_are_not_data_are_errors(text: str) -> None:
    with pytest.raises(ExpressionError, match="not data"):
        ev(text)
    # inside text too: its printed form would hold a memory address that differs on replay
    with pytest.raises(ExpressionError, match="not data"):
        ev(f"value: {text}")


# ------------------------------------------------------------------------------------------ text
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Your order {{ input.order_id }} is confirmed!", "Your order A-1 is confirmed!"),
        ("n={{ input.count }}", "n=3"),
        ("{{ input.count }}{{ input.count }}", "33"),
        ("{{ input.order_id }} / {{ input.count }}", "A-1 / 3"),
        ("{% if input.paid %}paid{% else %}due{% endif %}", "paid"),
        ("{% for item in input.items %}{{ item.sku }};{% endfor %}", "BOOK-1;PEN-7;"),
        ("skus: {{ input.items | map(attribute='sku') }}", "skus: ['BOOK-1', 'PEN-7']"),
        ("{# a comment #}done", "done"),
        ("line\n", "line\n"),
    ],
)
def test_other_templates_render_as_text(text: str, value: str) -> None:
    assert ev(text) == value


@pytest.mark.parametrize("value", ["plain", "a { b } c", "50%", "", 7, 2.5, True, None])
def test_values_without_markup_pass_through(value: Any) -> None:
    assert render(value, CONTEXT) == value
    if isinstance(value, str):
        assert not is_template(value)


def test_render_walks_lists_and_mapping_values_but_not_keys() -> None:
    value = {"{{ input.order_id }}": ["{{ input.count }}", {"n": "{{ input.count * 2 }}"}], "k": 1}
    assert render(value, CONTEXT) == {"{{ input.order_id }}": [3, {"n": 6}], "k": 1}


def test_single_expression_detection() -> None:
    assert single_expression("{{ a }}") == "a"
    assert single_expression(" {{ a.b | c }} ") == "a.b | c"
    assert single_expression("{{ a }} {{ b }}") is None
    assert single_expression("x {{ a }}") is None


# ------------------------------------------------------------------------------------------ strict undefined
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{{ nope }}", "'nope' is undefined"),
        ("{{ input.missing }}", "has no attribute 'missing'"),
        ("{{ input.items[7] }}", "no element 7"),
        ("{{ steps.refund.id }}", "has no attribute 'refund'"),
        ("Hello {{ user.name }}", "'user' is undefined"),
        ("{% for x in nothing %}{{ x }}{% endfor %}", "'nothing' is undefined"),
        ("{{ input.missing + 1 }}", "has no attribute 'missing'"),
    ],
)
def test_undefined_names_raise_naming_the_expression(text: str, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        ev(text)
    assert caught.value.expression == text
    assert words in caught.value.message
    assert caught.value.message.startswith("undefined: ")
    assert str(caught.value) == f"{caught.value.message} in expression {text!r}"


def test_defined_tests_and_defaults_still_work_under_strict_undefined() -> None:
    assert ev("{{ input.missing is defined }}") is False
    assert ev("{{ input.missing | default('none given') }}") == "none given"
    assert ev("{{ input.note if input.note is not none else 'empty' }}") == "empty"


def test_syntax_and_runtime_errors_name_the_expression() -> None:
    with pytest.raises(ExpressionError) as syntax:
        ev("{{ input.count + }}")
    assert syntax.value.message.startswith("syntax error:")
    assert syntax.value.expression == "{{ input.count + }}"
    with pytest.raises(ExpressionError) as runtime:
        ev("{{ input.count / 0 }}")
    assert str(runtime.value) == "ZeroDivisionError: division by zero in expression '{{ input.count / 0 }}'"
    with pytest.raises(ExpressionError, match="syntax error"):
        parse_ast("{% if %}")


# ------------------------------------------------------------------------------------------ sandbox
@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ ().__class__.__bases__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ input.__class__ }}",
        "{{ input.items.__len__() }}",
        "{{ self.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ ''.format.__self__ }}",
        "{{ input.items.pop() }}",
        "{{ vars.seen.append(1) }}",
        "{{ vars.seen.extend([3]) }}",
        "{{ vars.config.update({'retries': 9}) }}",
        "{{ vars.config.setdefault('x', 1) }}",
        "{{ vars.config.clear() }}",
        "{% set _ = vars.seen.append(5) %}done",
    ],
)
def test_the_sandbox_refuses_escapes_and_mutation(text: str) -> None:
    before = copy.deepcopy(CONTEXT)
    with pytest.raises(ExpressionError) as caught:
        ev(text)
    assert caught.value.message.startswith(("refused by the sandbox", "undefined"))
    assert "unsafe" in caught.value.message or "undefined" in caught.value.message
    assert before == CONTEXT


def test_mutation_is_refused_by_the_sandbox_not_by_a_missing_name() -> None:
    with pytest.raises(ExpressionError) as caught:
        ev("{{ vars.seen.append(1) }}")
    assert caught.value.message == (
        "refused by the sandbox: access to attribute 'append' of 'list' object is unsafe."
    )
    with pytest.raises(ExpressionError, match="refused by the sandbox: access to attribute '__class__'"):
        ev("{{ ''.__class__ }}")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{{ [1, 2, 3] | random }}", "No filter named 'random'"),
        ("{{ lipsum() }}", "'lipsum' is undefined"),
        ("{{ cycler(1, 2).next() }}", "'cycler' is undefined"),
    ],
)
def test_non_deterministic_helpers_are_gone(text: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=words):
        ev(text)


def test_data_keys_win_over_mapping_methods() -> None:
    assert ev("{{ input.items[1].sku }}") == "PEN-7"
    assert ev("{{ input.keys }}") == ["k1"]
    assert ev("{{ input.values.v }}") == 1
    assert ev("{% for item in input.items %}{{ item.quantity }}{% endfor %}") == "21"
    # without such a key the method is still there, read-only
    assert ev("{{ steps.payment.keys() | list }}") == ["transaction_id"]


def test_data_in_the_context_is_never_rendered() -> None:
    # Run input, activity results and signal payloads are data: a '{{ ... }}' inside them stays text.
    assert ev("{{ input.template }}") == "{{ input.secret }}"
    assert ev("copy: {{ input.template }}") == "copy: {{ input.secret }}"
    assert render({"args": ["{{ input.template }}"]}, CONTEXT) == {"args": ["{{ input.secret }}"]}


def test_same_context_same_value() -> None:
    texts = ["{{ input.items | map(attribute='sku') | join(',') }}", "{{ vars | dictsort }}",
             "{{ input | tojson }}", "{{ input.items | unique(attribute='sku') | list }}"]
    for text in texts:
        assert ev(text) == ev(copy.deepcopy(text), copy.deepcopy(CONTEXT))


# ------------------------------------------------------------------------------------------ compile cache
def test_templates_are_compiled_once_per_text() -> None:
    compile_template.cache_clear()
    text = "{{ input.count * 7 }}"
    first = compile_template(text)
    assert ev(text) == 21
    assert ev(text, {**CONTEXT, "input": {"count": 2}}) == 14
    assert compile_template(text) is first
    info = compile_template.cache_info()
    assert (info.misses, info.hits) == (1, 3)
    ev("other {{ input.count }}")
    assert compile_template.cache_info().misses == 2
    # plain strings never reach the compiler
    ev("no markup here")
    assert compile_template.cache_info().misses == 2


def test_syntax_errors_are_not_cached_as_templates() -> None:
    compile_template.cache_clear()
    for _ in range(2):
        with pytest.raises(ExpressionError):
            ev("{{ broken( }}")
    assert compile_template.cache_info().currsize == 0
