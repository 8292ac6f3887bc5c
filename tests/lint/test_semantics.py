"""Semantic checks beyond the one-per-code fixtures: scoping as the interpreter does it, guards, the
pipeline's handling of schema-invalid documents, suppression, and the project's own definitions."""

from __future__ import annotations

import textwrap

from tdsl.dsl_schema.lint import lint_paths, lint_text

from .support import ROOT, example_registry

REGISTRY = example_registry()


def problems(yaml_text: str, catalog_names: frozenset[str] | None = None) -> list[str]:
    """``LINE:COL: CODE message`` of every diagnostic of a definition given as text."""
    found = lint_text(textwrap.dedent(yaml_text), "def.yaml", REGISTRY, catalog_names)
    return [d.format().removeprefix("def.yaml:") for d in found]


def test_the_project_definitions_are_lint_clean() -> None:
    report = lint_paths([ROOT / "definitions"], REGISTRY)
    assert report.files
    assert [d.format() for d in report.diagnostics] == []


def test_scopes_follow_the_interpreter() -> None:
    assert problems("""
        name: scopes
        vars: {total: 0}
        queries:
          seen: {value: "{{ steps.fetch }} {{ steps.right }} {{ vars.total }}"}
        steps:
          - id: fetch
            activity: get_record_count
            args: ["{{ input.dataset }}"]
          - id: each
            foreach:
              items: "{{ range(0, steps.fetch, 10) | list }}"
              as: offset
              steps:
                - id: batch
                  activity: process_batch
                  args: ["{{ input.dataset }}-{{ index }}", "{{ offset }}", 10]
                - set: {last: "{{ steps.batch }} {{ steps.fetch }}"}
              result: "{{ steps.batch }}"
          - id: both
            parallel:
              branches:
                a: [{id: left, set: {a: "{{ steps.each.results }}"}}]
                b: [{id: right, set: {b: 2}}, {set: {c: "{{ steps.right }}"}}]
          - set: {z: "{{ steps.left }} {{ steps.right }} {{ steps.both.a }}"}
          - id: guarded
            try:
              - {id: risky, activity: charge_payment, args: [u, 1]}
            catch:
              - errors: [PaymentDeclined]
                steps: [{set: {why: "{{ error.message }} {{ steps.risky is defined }}"}}]
            finally:
              - set: {done: "{{ steps.risky | default(none) }}"}
          - wait_for:
              signals:
                approve: [{set: {by: "{{ signal.payload.by }} {{ signal.name }}"}}]
              timeout: "{{ input.timeout | default('1h') }}"
          - set:
              when: "{{ workflow.now }}"
              n: "{% for x in input.items %}{{ x }}{{ loop.index }}{% endfor %}"
        signals:
          approve: {}
        output: {risky: "{{ steps.risky }}", total: "{{ vars.total }}"}
        failure_output: {error: "{{ error.message }}", undone: "{{ compensations | length }}"}
        """) == []


def test_results_inside_a_foreach_body_are_not_visible_after_it() -> None:
    assert problems("""
        name: loop_results
        steps:
          - id: each
            foreach:
              items: [1, 2]
              steps: [{id: double, set: {x: "{{ item * 2 }}"}}]
          - set: {y: "{{ steps.double }}"}
        """) == [
        "8:18: E302 step 'double' is not available here: it runs inside the foreach at line 4, whose items "
        "have their own results; read steps.each.results"
    ]


def test_foreach_limits_from_expressions_are_checked_in_the_scope_of_the_step() -> None:
    assert problems("""
        name: limits
        steps:
          - id: fetch
            activity: get_record_count
            args: ["{{ input.dataset }}"]
          - foreach:
              items: [1, 2]
              concurrency: "{{ input.parallelism | default(steps.fetch) }}"
              tolerate_failures: "{{ input.max_failed | default('10%') }}"
              steps: [{set: {x: "{{ item * 2 }}"}}]
        """) == []
    assert problems("""
        name: limits
        steps:
          - foreach:
              items: [1, 2]
              concurrency: "{{ item }}"
              tolerate_failures: "{{ steps.later | lenght }}"
              steps: [{set: {x: 1}}]
          - id: later
            set: {y: 1}
          - foreach:
              items: [1]
              concurrency: 1001
              tolerate_failures: "{{ a }} of {{ b }}"
              steps: []
        """) == [
        "6:24: E304 unknown name 'item': it is only available inside a foreach body (or the name its `as` "
        "gives)",
        "7:30: E302 step 'later' is not available here: it has not run yet at this point (defined at line "
        "9); guard it with 'steps.later is defined' if it may be absent",
        "7:44: E305 unknown filter 'lenght'; did you mean 'length'?",
        "13:20: E100 1001 is greater than the maximum of 1000",
        "14:26: E100 '{{ a }} of {{ b }}' is not a percentage from 0% to 100% (such as '10%')",
        "14:26: E100 '{{ a }} of {{ b }}' is not a single expression (exactly one {{ ... }}, with no braces "
        "inside)",
    ]


def test_a_parallel_branch_cannot_rely_on_its_sibling() -> None:
    assert problems("""
        name: branches
        steps:
          - parallel:
              branches:
                a: [{id: left, set: {a: 1}}]
                b: [{set: {b: "{{ steps.left }}"}}]
        """) == [
        "7:27: E302 step 'left' is not available here: it runs in parallel branch 'a', concurrently with "
        "branch 'b' (branches cannot rely on each other)"
    ]


def test_a_while_condition_needs_a_guard_for_its_body_steps() -> None:
    text = """
        name: polling
        steps:
          - while:
              condition: "{{ CONDITION }}"
              max_iterations: 5
              steps: [{id: check, activity: get_record_count, args: ["{{ loop.index }}"]}]
        output: "{{ steps.check }}"
        """
    guarded = text.replace("CONDITION", "steps.check is not defined or steps.check < 3")
    assert problems(guarded) == []
    unguarded = problems(text.replace("CONDITION", "steps.check < 3"))
    assert [p.split(": ", 1)[0] + ": " + p.split(": ", 2)[1][:4] for p in unguarded] == ["5:22: E302"]


def test_contextual_names_exist_only_where_the_interpreter_sets_them() -> None:
    found = problems("""
        name: contexts
        id: "run-{{ vars.x }}"
        vars: {x: 1}
        updates:
          add: {set: {x: "{{ payload }}"}, return: "{{ result }}"}
        steps:
          - {id: a, set: {y: "{{ error }} {{ signal }} {{ loop }} {{ compensations }} {{ payload }}"}}
        """)
    assert [line.split(" ", 2)[1] for line in found] == ["E304"] * 7
    assert found[0] == "3:13: E304 unknown name 'vars': the workflow id template sees only 'input'"
    assert found[1] == "6:48: E304 unknown name 'result': it is only available in compensate"


def test_a_compensation_sees_its_own_step_and_result() -> None:
    assert problems("""
        name: saga
        steps:
          - id: hotel
            activity: reserve_hotel
            args: ["{{ input.hotel }}"]
            compensate: {activity: cancel_hotel, args: ["{{ steps.hotel.reservation_id }}"]}
          - id: flight
            activity: reserve_flight
            args: ["{{ input.flight }}"]
            compensate: {activity: cancel_flight, args: ["{{ result.reservation_id }}"]}
        """) == []


def test_semantic_checks_also_run_beside_schema_errors() -> None:
    assert problems("""
        name: both
        steps:
          - id: pay
            activity: charge_paymnt
            args: [u, 1]
            timout: 5s
          - id: wait
            wait: true
        """) == [
        "5:15: E400 unknown activity 'charge_paymnt'; did you mean 'charge_payment'?",
        "7:5: E102 unknown key: timout; did you mean 'timeout' instead of 'timout'?",
        "9:11: E104 True is not a duration",
    ]


def test_only_warnings_can_be_silenced() -> None:
    assert problems("""
        name: silenced
        signals:
          unused: {}  # lint: ignore[W501]
          other: {}  # lint: ignore[E500]
        steps:
          - {set: {x: "{{ steps.nope }}"}}  # lint: ignore[E301]
        """) == [
        "5:3: W501 signal 'other' is declared but never waited for nor read: a run only records it",
        "7:19: E301 unknown step 'nope'",
    ]


def test_arguments_that_an_expression_computes_are_not_counted() -> None:
    assert problems("""
        name: computed
        steps:
          - {id: b, activity: send_email, args: ["{{ input.to }}"], kwargs: {subject: s, body: b}}
          - {id: c, activity: send_email, args: [t, s, b, {delay: 1}]}
          - {id: d, activity: send_email, args: [t, s, b, {delay: 1}, extra]}
        """) == [
        "6:41: E401 send_email(to, subject, body, simulate=None) takes at most 4 positional arguments but "
        "5 were given"
    ]


def test_child_definitions_are_checked_only_against_known_names() -> None:
    text = """
        name: parent
        steps:
          - {id: a, child: {definition: kid}}
          - {id: b, child: {definition: parent}}
        """
    assert problems(text) == []  # no catalog given: children cannot be checked
    assert problems(text, frozenset({"kid"})) == []
    assert problems(text, frozenset({"kids"})) == [
        "4:33: E600 unknown child definition 'kid'; did you mean 'kids'?"
    ]


def test_every_branch_of_a_switch_ending_the_run_makes_the_rest_unreachable() -> None:
    assert problems("""
        name: ends
        steps:
          - switch:
              cases: [{if: "{{ input.ok }}", steps: [{return: ok}]}]
              default: [{fail: nope}]
          - set: {x: 1}
          - try: [{set: {y: 1}}]
            catch:
              - steps: [{set: {z: 1}}]
              - errors: [Timeout]
                steps: [{set: {z: 2}}]
        """) == [
        "7:5: W201 unreachable step: it comes after the switch at line 4, whose every branch ends the run",
        "11:9: W201 unreachable catch clause: the clause at line 10 catches every error",
    ]


def test_clauses_with_when_are_no_catch_all_and_raise_ends_its_clause() -> None:
    assert problems("""
        name: clauses
        steps:
          - try:
              - fail: {type: "{{ 'Dyn' ~ 'amic' }}", message: no}
            catch:
              - when: "{{ error.details is none }}"
                steps:
                  - raise: {}
                  - set: {never: true}
              - when: "{{ true }}"
                steps: []
              - errors: [Other]
                steps:
                  - do:
                      - raise: {}
                    retry: {maximum_attempts: 2, jitter: 0.3}
                    result: "{{ result }} {{ attempt }}"
          - raise: {}
        output: "{{ attempt }}"
        """) == [
        "10:13: W201 unreachable step: it comes after the unconditional raise at line 9",
        "13:9: W201 unreachable catch clause: the clause at line 11 catches every error",
        "19:5: E311 raise outside a catch clause: there is no caught error to raise (use fail)",
    ]


def test_a_result_template_sees_what_the_step_ran() -> None:
    assert problems("""
        name: shaped
        steps:
          - id: block
            do:
              - id: inner
                set: {a: 1}
            result: "{{ steps.inner.a + result }}"
          - id: branches
            parallel:
              branches:
                left: [{id: l, set: {b: 1}}]
            result: "{{ steps.l }} {{ steps.later }}"
          - id: later
            set: {c: 1}
        output: "{{ steps.block }}"
        """) == [
        "13:31: E302 step 'later' is not available here: it has not run yet at this point (defined at line "
        "14); guard it with 'steps.later is defined' if it may be absent",
    ]
