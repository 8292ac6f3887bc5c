"""Each step kind is drawn as its declaration says: the nodes and edges of a small definition per kind."""

from __future__ import annotations

from tdsl.dsl_schema.graph import build_graph
from tdsl.dsl_schema.kinds import KINDS, StepKind
from tdsl.dsl_schema.kinds.base import Drawing

from .helpers import edges, graph_of, styled


def test_every_kind_declares_how_it_is_drawn() -> None:
    shapes = {"box", "round", "stadium", "diamond", "hexagon", "subroutine", "lean", "circle"}
    for key, kind in KINDS.items():
        assert isinstance(kind, StepKind)
        assert isinstance(kind.drawing, Drawing), key
        assert kind.drawing.shape in shapes, key
        assert kind.drawing.layout in ("sequence", "fan", "loop"), key
        if kind.nested:
            assert kind.drawing.layout in ("fan", "loop"), f"{key} holds step lists but is drawn as a leaf"


def test_a_sequence_runs_from_start_to_end() -> None:
    graph = graph_of("""
        - id: a
          activity: send_email
        - id: b
          name: Set "things" [up]
          set: {x: 1}
        - wait: 5m
    """)
    assert [n.id for n in graph.nodes] == ["n_start", "s_a", "s_b", "s_wait_2", "n_end"]
    assert edges(graph) == {("n_start", "s_a", ""), ("s_a", "s_b", ""), ("s_b", "s_wait_2", ""),
                            ("s_wait_2", "n_end", "")}
    assert graph.node("s_a").lines == ("a", "activity: send_email")
    assert graph.node("s_b").lines == ('b: Set "things" [up] (set)', "vars: x")
    assert graph.node("s_wait_2").lines == ("wait#2", "wait: 5m")
    assert {n.path for n in graph.nodes if n.role == "step"} == {"a", "b", "wait#2"}


def test_an_if_is_a_decision_with_a_skip_edge_past_the_step() -> None:
    graph = graph_of("""
        - id: a
          activity: send_email
        - id: b
          if: "{{ input.x > 1 }}"
          activity: send_email
        - id: c
          activity: send_email
    """)
    assert graph.node("s_b_if").role == "if"
    assert graph.node("s_b_if").lines == ("if {{ input.x > 1 }}",)
    assert {("s_a", "s_b_if", ""), ("s_b_if", "s_b", "yes"), ("s_b", "s_c", "")} <= edges(graph)
    assert styled(graph, "dotted") == {("s_b_if", "s_c", "skip")}


def test_switch_cases_fan_out_and_meet_again() -> None:
    graph = graph_of("""
        - id: pick
          switch:
            cases:
              - if: "{{ input.kind == 'a' }}"
                steps:
                  - {id: one, activity: send_email}
              - if: "{{ input.kind == 'b' }}"
                steps:
                  - {id: two, activity: send_email}
        - {id: after, activity: send_email}
    """)
    assert graph.node("s_pick").shape == "diamond"
    assert {
        ("s_pick", "s_pick_case_0_one", "case: {{ input.kind == 'a' }}"),
        ("s_pick", "s_pick_case_1_two", "case: {{ input.kind == 'b' }}"),
        ("s_pick_case_0_one", "s_after", ""),
        ("s_pick_case_1_two", "s_after", ""),
        ("s_pick", "s_after", "no case"),  # no default: nothing matched, the run goes on
    } <= edges(graph)
    assert graph.node("s_pick_case_0_one").path == "pick/case#0/one"


def test_a_switch_default_replaces_the_no_case_edge() -> None:
    graph = graph_of("""
        - id: pick
          switch:
            cases:
              - if: "{{ true }}"
                steps: [{id: one, activity: send_email}]
            default:
              - {id: other, activity: send_email}
    """)
    assert ("s_pick", "s_pick_default_other", "default") in edges(graph)
    assert not [e for e in graph.edges if e.label == "no case"]


def test_parallel_branches_meet_at_a_join_with_their_mode() -> None:
    for mode in ("all", "first"):
        graph = graph_of(f"""
            - id: both
              parallel:
                mode: {mode}
                branches:
                  left: [{{id: l, activity: send_email}}]
                  right: [{{id: r, activity: send_email}}, {{id: r2, activity: send_email}}]
            - {{id: after, activity: send_email}}
        """)
        assert graph.node("s_both_join").lines == (f"join: {mode}",)
        assert {
            ("s_both", "s_both_left_l", "left"),
            ("s_both", "s_both_right_r", "right"),
            ("s_both_right_r", "s_both_right_r2", ""),
            ("s_both_left_l", "s_both_join", ""),
            ("s_both_right_r2", "s_both_join", ""),
            ("s_both_join", "s_after", ""),
        } <= edges(graph)
    assert graph_of("""
        - parallel:
            branches: {a: [{activity: send_email}]}
    """).node("s_parallel_0_join").lines == ("join: all",)


def test_foreach_loops_back_and_shows_its_concurrency() -> None:
    graph = graph_of("""
        - id: each
          foreach:
            items: "{{ input.orders }}"
            as: order
            concurrency: 5
            steps:
              - {id: charge, activity: charge_payment}
        - {id: after, activity: send_email}
    """)
    node = graph.node("s_each")
    assert node.lines == ("each (foreach)", "items: {{ input.orders }}", "as: order", "concurrency: 5")
    assert ("s_each", "s_each_charge", "") in edges(graph)
    assert styled(graph, "dotted") == {("s_each_charge", "s_each", "next item")}
    assert ("s_each", "s_after", "done") in edges(graph)
    assert graph.node("s_each_charge").path == "each/charge"  # the run's orders[3]/charge, without the index
    default = graph_of("""
        - foreach: {items: [1, 2], steps: [{set: {x: 1}}]}
    """)
    assert "concurrency: 1" in default.node("s_foreach_0").lines


def test_while_shows_its_bound_and_loops_back() -> None:
    graph = graph_of("""
        - id: poll
          while:
            condition: "{{ loop.index < 3 }}"
            max_iterations: 10
            steps:
              - wait: 1s
    """)
    assert graph.node("s_poll").lines == (
        "poll (while)", "condition: {{ loop.index < 3 }}", "max_iterations: 10"
    )
    assert styled(graph, "dotted") == {("s_poll_wait_0", "s_poll", "again")}
    assert ("s_poll", "n_end", "done") in edges(graph)


def test_try_catch_finally() -> None:
    graph = graph_of("""
        - id: guarded
          try:
            - {id: risky, activity: charge_payment}
          catch:
            - errors: [PaymentDeclined, Timeout]
              steps: [{id: handle, activity: send_email}]
            - steps: [{id: other, activity: send_email}]
          finally:
            - {id: cleanup, activity: send_email}
        - {id: after, activity: send_email}
    """)
    assert {
        ("s_guarded", "s_guarded_try_risky", "try"),
        ("s_guarded", "s_guarded_catch_0_handle", "catch: PaymentDeclined, Timeout"),
        ("s_guarded", "s_guarded_catch_1_other", "catch"),
        ("s_guarded_try_risky", "s_guarded_finally_cleanup", "finally"),
        ("s_guarded_catch_0_handle", "s_guarded_finally_cleanup", "finally"),
        ("s_guarded_catch_1_other", "s_guarded_finally_cleanup", "finally"),
        ("s_guarded_finally_cleanup", "s_after", ""),
    } == {e for e in edges(graph) if e[0].startswith("s_guarded")}
    assert graph.node("s_guarded_catch_0_handle").path == "guarded/catch#0/handle"


def test_wait_for_signal_handlers_and_timeout() -> None:
    graph = graph_of("""
        - id: decide
          wait_for:
            signals:
              approve: [{id: yes, set: {ok: true}}]
              reject: []
            timeout: 1h
        - {id: after, activity: send_email}
    """, signals="approve: {}\nreject: {}\n")
    assert graph.node("s_decide").lines == ("decide (wait_for)", "signals: approve, reject", "timeout: 1h")
    assert {
        ("s_decide", "s_decide_approve_yes", "approve"),
        ("s_decide_approve_yes", "s_after", ""),
        ("s_decide", "s_after", "reject"),  # an empty handler: straight on
        ("s_decide", "s_after", "timeout"),  # a timeout without on_timeout goes on
    } <= edges(graph)
    with_handler = graph_of("""
        - id: decide
          wait_for:
            signals: [approve]
            timeout: 1h
            on_timeout: [{id: late, activity: send_email}]
    """, signals="approve: {}\n")
    assert {
        ("s_decide", "s_decide_on_timeout_late", "on_timeout"), ("s_decide_on_timeout_late", "n_end", "")
    } <= edges(with_handler)
    assert not [e for e in with_handler.edges if e.label == "timeout"]
    plain = graph_of("""
        - id: decide
          wait_for: {signals: [approve]}
    """, signals="approve: {}\n")
    assert edges(plain) == {("n_start", "s_decide", ""), ("s_decide", "n_end", "")}


def test_children_return_and_fail() -> None:
    graph = graph_of("""
        - id: sub
          child: {definition: other, wait: false}
        - id: check
          if: "{{ steps.sub.bad }}"
          fail: {message: "bad \\"one\\"", type: Bad}
        - id: done
          return: {ok: true}
    """)
    assert graph.node("s_sub").shape == "subroutine"
    assert graph.node("s_sub").lines == ("sub (child)", "definition: other", "wait: false")
    assert graph.node("s_check").lines == ("check", "fail: Bad")
    assert {("s_check", "n_failed", ""), ("s_done", "n_end", ""), ("s_check_if", "s_done", "skip")} \
        <= edges(graph)
    assert not graph.edges_from("s_done")[1:]  # a return leads only to the end
    assert [n.id for n in graph.nodes][-2:] == ["n_end", "n_failed"]


def test_compensations_are_dashed_edges_to_their_undo_node() -> None:
    graph = graph_of("""
        - id: pay
          activity: charge_payment
          compensate: {activity: refund_payment}
        - id: sub
          child: {definition: other}
          compensate: {activity: send_email}
    """)
    assert styled(graph, "dashed") == {
        ("s_pay", "s_pay_undo", "compensate"), ("s_sub", "s_sub_undo", "compensate")
    }
    assert graph.node("s_pay_undo").lines == ("undo", "activity: refund_payment")
    assert graph.node("s_pay_undo").role == "compensate"
    assert ("s_pay", "s_sub", "") in edges(graph)


def test_node_ids_are_stable_and_unique() -> None:
    steps = """
        - {id: a_b, activity: send_email}
        - parallel:
            branches:
              a: [{id: b, activity: send_email}]
    """
    first, second = graph_of(steps), graph_of(steps)
    assert [n.id for n in first.nodes] == [n.id for n in second.nodes]
    ids = [n.id for n in first.nodes]
    assert len(ids) == len(set(ids))
    assert "s_parallel_1_a_b" in ids


def test_a_definition_given_as_data_draws_the_same() -> None:
    data = {"name": "t", "steps": [{"id": "a", "activity": "send_email"}]}
    assert [n.id for n in build_graph(data).nodes] == ["n_start", "s_a", "n_end"]
