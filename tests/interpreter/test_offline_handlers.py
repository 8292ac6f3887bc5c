"""Queries and updates answered by offline runs: the same core code a worker runs, at virtual times.

The definition is the one ``test_queries_updates.py`` runs on a worker; the answers, rejections and error
texts asserted here are the ones asserted there.
"""

from __future__ import annotations

from typing import Any

from tdsl.dsl_schema.compile import compile_text
from tdsl.dsl_schema.models import Definition
from tdsl.interpreter import PROGRESS_QUERY, OfflineResult, run_offline_sync
from tests.interpreter.test_queries_updates import COUNTER

# Its ``broken`` query reads a variable nothing sets, so the compiler refuses it (E303) and offline runs of
# its data would too; the model (valid for the schema) is run as it is, to see the query fail at run time.
COMPILED = compile_text(COUNTER)
assert [d.code for d in COMPILED.errors] == ["E303"]
DEFINITION = Definition.model_validate(COMPILED.doc.data)


def run(**options: Any) -> OfflineResult:
    return run_offline_sync(DEFINITION, {"limit": 10}, activities={}, **options)


def answers(calls: list[Any]) -> list[tuple[str, str, Any]]:
    return [(c.name, c.outcome, c.result if c.outcome == "answered" else c.error) for c in calls]


def test_queries_read_the_state_at_their_virtual_time_and_after_the_run_closed() -> None:
    result = run(
        updates=[("10m", "add", {"amount": 4})],
        queries=[(60, "count"), ("20m", "count"), ("20m", "overview"), ("2h", "count")],
        signals=[("30m", "finish")],
    )
    assert result.status == "completed" and result.output == {"count": 4, "log": [4]}
    assert [(q.name, q.at, q.result) for q in result.queries] == [
        ("count", 60.0, 0),
        ("count", 1200.0, 4),
        ("overview", 1200.0, {"count": 4, "limit": 10, "finished": False, "run": "counter v3"}),
        ("count", 7200.0, 4),  # after the run closed, like a worker replaying it
    ]
    assert [(u.name, u.outcome, u.result) for u in result.updates] == [
        ("add", "answered", {"count": 4, "log": [4]})
    ]


def test_query_errors_are_the_workers() -> None:
    result = run(queries=[(1, "sneaky"), (1, "broken"), (1, "cont")], signals=[(2, "finish")])
    assert result.output == {"count": 0, "log": []}  # the sneaky query changed nothing
    sneaky, broken, unknown = result.queries
    assert sneaky.outcome == "failed" and sneaky.error is not None
    assert sneaky.error["type"] == "ExpressionError"
    assert sneaky.error["message"].startswith("query 'sneaky': refused by the sandbox")
    assert broken.error is not None
    assert broken.error["message"].startswith(
        "query 'broken': undefined: 'dict object' has no attribute 'missing'"
    )
    assert unknown.error == {
        "type": "UnknownQuery",
        "message": "query 'cont' is not declared by counter",
        "step": None,
        "file": None,
        "line": None,
        "details": None,
    }


def test_rejected_updates_change_nothing_and_say_why() -> None:
    result = run(
        updates=[
            (1, "add", {"amount": "five"}),
            (2, "add", {"amount": 11}),
            (3, "add", {"amount": -1}),
            (4, "nope", {}),
            (5, "add", {"amount": 2}),
            (6, "reset"),
            (7, "add", {"amount": 3}),
        ],
        queries=[(8, "count")],
        signals=[(9, "finish")],
    )
    assert [(u.name, u.outcome) for u in result.updates] == [
        ("add", "rejected"),
        ("add", "rejected"),
        ("add", "rejected"),
        ("nope", "rejected"),
        ("add", "answered"),
        ("reset", "answered"),
        ("add", "answered"),
    ]
    rejections = [(u.error["type"], u.error["message"]) for u in result.updates[:4] if u.error is not None]
    assert rejections == [
        ("InvalidPayload", "update 'add' payload is invalid: $.amount: 'five' is not of type 'integer'"),
        ("Rejected", "amount must be positive and keep the count within the limit"),
        ("Rejected", "amount must be positive and keep the count within the limit"),
        ("UnknownUpdate", "update 'nope' is not declared by counter"),
    ]
    invalid = result.updates[0].error
    assert invalid is not None and invalid["details"][0]["message"] == "'five' is not of type 'integer'"
    assert result.updates[-1].result == {"count": 3, "log": [2, 3]}
    assert result.queries[0].result == 3
    assert result.output == {"count": 3, "log": [2, 3]}


def test_an_update_that_fails_after_acceptance_fails_alone() -> None:
    result = run(updates=[(1, "add", {"amount": 1}), (2, "explode")], signals=[(3, "finish")])
    explode = result.updates[1]
    assert explode.outcome == "failed" and explode.error is not None
    assert explode.error["type"] == "ExpressionError"
    assert explode.error["message"] == (
        "update 'explode': ZeroDivisionError: integer division or modulo by zero in expression '{{ 1 // 0 }}'"
    )
    assert result.status == "completed" and result.output == {"count": 1, "log": [1]}


def test_the_progress_query_reports_the_wait_and_the_steps() -> None:
    result = run(
        queries=[(60, PROGRESS_QUERY), ("2h", PROGRESS_QUERY)],
        signals=[(120, "undeclared"), ("1h", "finish")],
    )
    waiting, closed = (q.result for q in result.queries)
    assert waiting["definition"] == "counter" and waiting["version"] == 3
    assert waiting["status"] == "running"
    assert waiting["current_steps"] == ["idle"]
    assert [w["signals"] for w in waiting["pending_waits"]] == [["finish"]]
    assert waiting["completed_count"] == 0 and waiting["ignored_signals"] == []
    assert closed["status"] == "completed"
    assert closed["completed_steps"] == ["idle"] and closed["pending_waits"] == []
    assert closed["ignored_signals"] == [{"signal": "undeclared", "reason": "signal not declared"}]
