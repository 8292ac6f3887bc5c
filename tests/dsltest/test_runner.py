"""Running cases: expectations that fail show where (the path inside the output), exit codes, reports."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from tdsl.server.testing.report import render
from tdsl.server.testing.runner import run_paths

from .helpers import project, write

FAILING = """
    definition: order_processing
    mocks:
      charge_payment: {returns: {transaction_id: T-1}}
      reserve_inventory: {returns: {reservation_id: R-1}}
      send_email: {returns: {sent: true}}
    cases:
      - name: passes
        input: &order {order_id: A1, user_id: u1, items: [{sku: book, quantity: 1}], total: 5, email: a@b.c}
        expect:
          output: {order_id: A1, status: completed, transaction_id: T-1}
      - name: wrong_output
        input: *order
        expect:
          status: completed
          output: {order_id: A1, status: done, transaction_id: T-1, extra: 1}
          calls: [charge_payment, {activity: reserve_inventory, args: [[{sku: pen, quantity: 1}]]}]
"""


def test_a_failing_case_shows_each_difference_with_its_path(tmp_path: Path) -> None:
    tests = project(tmp_path, "order_processing")
    write(tests, "order.test.yaml", FAILING)

    report = run_paths([tests])

    assert [(c.case, c.status) for c in report.cases] == [("passes", "passed"), ("wrong_output", "failed")]
    assert report.exit_code == 1
    assert report.cases[1].explain().splitlines() == [
        'output.status: expected "done", got "completed"',
        "output.extra: expected 1, got nothing (missing)",
        'calls[1].args[0][0].sku: expected "pen", got "book"',
        'calls[2]: expected nothing, got "send_email" (unexpected)',
    ]
    text = render(report, "text")
    assert "PASS order.test.yaml::passes (" in text
    assert "FAIL order.test.yaml::wrong_output (" in text
    assert f"{tests / 'order.test.yaml'}:11: case 'wrong_output' of order_processing" in text
    assert text.splitlines()[-1].startswith("1 passed, 1 failed in ")


def test_json_and_junit_reports(tmp_path: Path) -> None:
    tests = project(tmp_path, "order_processing")
    write(tests, "order.test.yaml", FAILING)
    report = run_paths([tests])

    data = json.loads(render(report, "json"))
    assert data["summary"]["passed"] == 1 and data["summary"]["failed"] == 1 and data["exit_code"] == 1
    failed = data["cases"][1]
    assert failed["id"] == "order.test.yaml::wrong_output"
    missing = {"path": "output.extra", "expected": 1, "actual": None, "note": "missing"}
    assert failed["mismatches"][1] == missing

    root = ElementTree.fromstring(render(report, "junit").split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["passes", "wrong_output"]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == 'output.status: expected "done", got "completed"'


def test_files_that_cannot_run_exit_2(tmp_path: Path) -> None:
    tests = project(tmp_path, "order_processing")
    write(tests, "unknown.test.yaml", "definition: nowhere\ncases: [{name: a}]\n")
    write(tests, "invalid.test.yaml", "definition: order_processing\ncases: [{nam: a}]\n")

    report = run_paths([tests])

    assert report.exit_code == 2
    messages = {Path(p.file).name: p.message for p in report.problems}
    assert messages["unknown.test.yaml"].startswith(
        f"{tests / 'unknown.test.yaml'}:1:13: unknown definition 'nowhere'"
    )
    assert "(known: order_processing)" in messages["unknown.test.yaml"]
    assert f"{tests / 'invalid.test.yaml'}:2:10: E102 unknown key: nam" in messages["invalid.test.yaml"]


def test_a_case_that_cannot_run_is_an_error(tmp_path: Path) -> None:
    tests = project(tmp_path, "order_processing")
    write(tests, "bad.test.yaml", """
        definition: order_processing
        cases:
          - name: bad_input
            input: {order_id: A1}
          - name: bad_mock
            input: {order_id: A1, user_id: u1, items: [{sku: b, quantity: 1}], total: 5, email: a@b.c}
            mocks:
              charge_payment: {python: no_such_module.charge}
    """)

    report = run_paths([tests])

    assert [c.status for c in report.cases] == ["error", "error"]
    assert report.cases[0].message.startswith("input: ")
    assert "cannot import 'no_such_module'" in report.cases[1].message
    assert report.exit_code == 2


def test_unmocked_activities_fail_like_on_a_worker_without_them(tmp_path: Path) -> None:
    tests = project(tmp_path, "order_processing")
    write(tests, "t.test.yaml", """
        definition: order_processing
        cases:
          - name: nothing_mocked
            input: {order_id: A1, user_id: u1, items: [{sku: b, quantity: 1}], total: 5, email: a@b.c}
            expect:
              status: failed
              error: {type: NotFoundError, step: payment}
    """)
    report = run_paths([tests])
    assert report.exit_code == 0, report.cases[0].explain()


def test_updates_queries_and_select(tmp_path: Path) -> None:
    tests = project(tmp_path, "expense_report")
    write(tests, "e.test.yaml", """
        definition: expense_report
        mocks:
          send_approval_request: {}
          send_email: {}
          execute_approved_action: {returns: paid}
        cases:
          - name: wrong_answers
            input: {report_id: E1, employee: a, email: a@x, manager_email: m@x, amount: 10, description: d}
            updates:
              - {at: 1h, name: amend, payload: {amount: 9000}, result: {amount: 9000}}
              - {at: 2h, name: amend, payload: {amount: 20}, rejected: true}
            queries:
              - {at: 3h, name: amount, result: 10}
            signals:
              - {at: 4h, name: approve}
          - name: other
            input: {report_id: E1, employee: a, email: a@x, manager_email: m@x, amount: 10, description: d}
            cancel_at: 1s
    """)

    report = run_paths([tests], select="wrong")

    assert [c.case for c in report.cases] == ["wrong_answers"]
    lines = report.cases[0].explain().splitlines()
    assert lines[0] == "queries[0] (amount at 3h).result: expected 10, got 20"
    assert lines[1].startswith('updates[0] (amend at 1h): expected {"amount": 9000}, got {"details": ')
    assert lines[1].endswith("(the update was rejected)")
    assert lines[2] == 'updates[1] (amend at 2h): expected "rejected", got {"amendments": 1, "amount": 20} ' \
        "(the update was answered)"
