"""``--coverage``: the steps, branches, ``if`` outcomes, catch clauses and compensations the cases ran, and
where the rest is."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tdsl.interpreter.offline import Trace
from tdsl.server.testing.coverage import DefinitionCoverage, measure, render_text
from tdsl.server.testing.runner import Catalogs, run_paths
from tests.server.cli import TDSL, environment

from .helpers import DEFINITIONS, EXAMPLE_TESTS, ROOT, project, write


def coverage_of(select: str | None, name: str) -> DefinitionCoverage:
    trace, catalogs = Trace(), Catalogs(DEFINITIONS)
    report = run_paths([EXAMPLE_TESTS], select=select, trace=trace, catalogs=catalogs)
    assert report.exit_code == 0
    return next(d for d in measure(trace, catalogs) if d.name == name)


def missed(coverage: DefinitionCoverage) -> list[tuple[str, str, int]]:
    return [(item.kind, item.path, item.line) for item in coverage.missed()]


def test_the_example_cases_exercise_every_item_of_every_example() -> None:
    trace, catalogs = Trace(), Catalogs(DEFINITIONS)
    run_paths([EXAMPLE_TESTS], trace=trace, catalogs=catalogs)
    assert {d.name: missed(d) for d in measure(trace, catalogs)} == {
        name: [] for name in catalogs.catalog(DEFINITIONS.resolve()).names()
    }


def test_an_if_that_never_held_and_compensations_that_never_ran() -> None:
    coverage = coverage_of("data_processing.test.yaml::all_batches", "data_processing")
    assert missed(coverage) == [("step", "policy", 57), ("if true", "policy", 59)]

    saga = coverage_of("booking_saga.test.yaml::booked", "booking_saga")
    assert missed(saga) == [("compensation", "hotel", 28), ("compensation", "flight", 37)]


def test_switch_cases_signal_handlers_and_catch_clauses() -> None:
    reminder = coverage_of("send_reminder.test.yaml::after_a_given_delay", "send_reminder")
    assert missed(reminder) == [
        ("switch case", "schedule/case#0", 32),
        ("step", "schedule/case#0/wait#0", 33),
    ]

    renewal = coverage_of("subscription_renewal.test.yaml::renewed_until", "subscription_renewal")
    assert missed(renewal) == [
        ("signal handler", "billing/period/cancel", 63),
        ("step", "billing/period/cancel/set#0", 64),
        ("if false", "billing/renewal", 69),
        ("catch clause", "billing/renewal/catch#0", 86),
        ("step", "billing/renewal/catch#0/set#0", 87),
        ("step", "billing/renewal/catch#0/activity#1", 88),
    ]
    # The child definition ran in the same cases: its items count as exercised by them.
    order = coverage_of("subscription_renewal.test.yaml::renewed_until", "order_processing")
    assert [kind for kind, _, _ in missed(order)] == ["compensation", "compensation"]


def test_parallel_branches(tmp_path: Path) -> None:
    tests = project(tmp_path)
    write(tests.parent, "fan.yaml", """
        name: fan
        input: {type: object}
        steps:
          - id: both
            parallel:
              branches:
                left:
                  - activity: left
                right:
                  - if: "{{ input.right | default(false) }}"
                    activity: right
    """)
    write(tests, "fan.test.yaml", """
        definition: fan
        mocks: {left: {returns: 1}, right: {returns: 2}}
        cases:
          - name: left_only
            input: {}
    """)
    trace, catalogs = Trace(), Catalogs()
    assert run_paths([tests], trace=trace, catalogs=catalogs).exit_code == 0
    (coverage,) = measure(trace, catalogs)
    assert missed(coverage) == [
        ("step", "both/right/activity#0", 10),
        ("if true", "both/right/activity#0", 10),
    ]
    text = render_text([coverage])
    assert f"{coverage.file}:10:17: never exercised: if true of both/right/activity#0" in text


def test_the_cli_reports_coverage_in_text_and_json() -> None:
    done = subprocess.run(
        [TDSL, "test", "--coverage", "-k", "send_reminder.test.yaml::after_a_given", "--format", "json"],
        cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    reminder = next(d for d in data["coverage"] if d["definition"] == "send_reminder")
    assert reminder["file"] == "definitions/send_reminder.yaml"
    assert reminder["missed"][0] == {"kind": "switch case", "path": "schedule/case#0", "line": 32, "col": 11}
