"""A run's trace laid over a graph, without a server: which node gets which state, and why."""

from __future__ import annotations

from tdsl.dsl_schema.graph import RunTrace, overlay
from tdsl.dsl_schema.graph.overlay import step_of_summary

from .helpers import graph_of

SAGA = """
    - {id: hotel, activity: reserve_hotel, compensate: {activity: cancel_hotel}}
    - {id: flight, activity: reserve_flight, compensate: {activity: cancel_flight}}
    - {id: note, if: "{{ input.note }}", activity: send_email}
    - {id: payment, activity: charge_payment}
"""


def test_summaries_name_steps_without_loop_iterations() -> None:
    assert step_of_summary("charge") == ("charge", False)
    assert step_of_summary("orders[3]/charge") == ("orders/charge", False)
    assert step_of_summary("hotel.compensate") == ("hotel", True)
    assert step_of_summary("wait#2: wait 5m") == ("wait#2", False)
    assert step_of_summary("sub: run other") == ("sub", False)


def test_a_failed_saga_shows_completed_failed_skipped_and_compensated() -> None:
    calls = [
        ("hotel", "scheduled"), ("hotel", "completed"),
        ("flight", "scheduled"), ("flight", "completed"),
        ("payment", "scheduled"), ("payment", "failed"),
        ("flight.compensate", "scheduled"), ("flight.compensate", "completed"),
        ("hotel.compensate", "scheduled"), ("hotel.compensate", "failed"),
    ]
    graph = overlay(graph_of(SAGA), RunTrace.of("COMPLETED", None, calls))
    assert graph.states == {
        "s_hotel": "completed",  # its compensation failed: it stays done
        "s_hotel_undo": "failed",
        "s_flight": "compensated",
        "s_flight_undo": "compensated",
        "s_note": "skipped",
        "s_payment": "failed",
    }


def test_a_running_run_shows_what_runs_and_leaves_the_rest() -> None:
    calls = [("hotel", "scheduled"), ("hotel", "completed"), ("flight", "scheduled")]
    graph = overlay(graph_of(SAGA), RunTrace.of("RUNNING", None, calls))
    assert graph.states == {"s_hotel": "completed", "s_flight": "running"}


def test_progress_names_steps_the_history_does_not() -> None:
    graph = graph_of("""
        - {id: start, set: {x: 1}}
        - id: each
          foreach:
            items: [1, 2]
            steps:
              - {id: maybe, if: "{{ item > 1 }}", set: {y: 1}}
              - {id: charge, activity: charge_payment}
        - {id: wait_here, wait: 1h}
    """)
    progress = {
        "completed_steps": ["start", "each[0]/charge", "each[1]/maybe", "each[1]/charge"],
        "current_steps": ["wait_here"],
        "compensations": [],
    }
    states = overlay(graph, RunTrace.of("RUNNING", progress, [("wait_here: wait 1h", "scheduled")])).states
    assert states == {
        "s_start": "completed",
        "s_each": "completed",  # its steps are done, and so is it (progress keeps only the latest steps)
        "s_each_maybe": "completed",  # ran for one item at least
        "s_each_charge": "completed",
        "s_wait_here": "running",
    }


def test_an_enclosing_step_takes_the_state_of_its_steps() -> None:
    graph = graph_of("""
        - id: both
          parallel:
            branches:
              a: [{id: x, activity: send_email}]
              b: [{id: y, activity: send_email}]
    """)
    running = overlay(graph, RunTrace.of("RUNNING", None, [("both/a/x", "scheduled")])).states
    assert running == {"s_both": "running", "s_both_a_x": "running"}
    failed = overlay(graph, RunTrace.of("FAILED", None, [("both/a/x", "scheduled"), ("both/a/x", "failed")]))
    assert failed.states == {"s_both": "failed", "s_both_a_x": "failed"}


def test_a_guarded_step_is_skipped_only_once_the_run_went_past_it() -> None:
    graph = graph_of("""
        - {id: a, activity: send_email}
        - {id: b, if: "{{ false }}", activity: send_email}
    """)
    assert overlay(graph, RunTrace.of("RUNNING", None, [("a", "scheduled")])).states == {"s_a": "running"}
    done = overlay(graph, RunTrace.of("COMPLETED", None, [("a", "scheduled"), ("a", "completed")]))
    assert done.states == {"s_a": "completed", "s_b": "skipped"}
    failed = overlay(graph, RunTrace.of("FAILED", None, [("a", "scheduled"), ("a", "completed")]))
    assert failed.states == {"s_a": "completed"}
