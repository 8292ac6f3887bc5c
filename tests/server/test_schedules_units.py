"""The parts of declared schedules that need no server: naming schedules, the plan's text, cron and time
zone checks."""

from __future__ import annotations

import pytest

from tdsl.dsl_schema.lint.check_schedules import cron_problem, known_timezone
from tdsl.server.schedules.ids import ScheduleRef, resolve, schedule_id
from tdsl.server.schedules.plan import ScheduleChange, SchedulePlan


def test_a_schedule_is_named_by_its_id_or_definition_and_entry() -> None:
    full = schedule_id("jobs", "nightly_report", "nightly")
    assert full == "tdsl:jobs:nightly_report:nightly"
    expected = ScheduleRef(full, "nightly_report", "nightly")
    assert resolve(full, "jobs") == expected
    assert resolve("nightly_report:nightly", "jobs") == expected
    assert resolve("someone-elses-schedule", "jobs") == ScheduleRef("someone-elses-schedule")
    # An id of another task queue is taken as it is, never re-rooted on this one.
    assert resolve("tdsl:other:nightly_report:nightly", "jobs").definition is None


def test_the_plan_lists_each_change_then_the_counts() -> None:
    plan = SchedulePlan([
        ScheduleChange("create", "tdsl:q:a:x", "a", "x"),
        ScheduleChange("update", "tdsl:q:a:y", "a", "y", ("definition", "timezone")),
        ScheduleChange("unchanged", "tdsl:q:b:z", "b", "z"),
    ], applied=False)
    assert plan.render().splitlines() == [
        "+ create    tdsl:q:a:x",
        "~ update    tdsl:q:a:y (definition, timezone)",
        "= unchanged tdsl:q:b:z",
        "1 create, 1 update, 1 unchanged (dry run, nothing changed)",
    ]
    assert plan.changed and plan.to_dict()["summary"]["update"] == 1
    assert not SchedulePlan([ScheduleChange("unchanged", "i", "a", "x")]).changed


@pytest.mark.parametrize("cron", ["0 2 * * *", "*/15 9-17 * * MON-FRI", "@daily", "@hourly", " 5 4 1 * * "])
def test_valid_cron_expressions(cron: str) -> None:
    assert cron_problem(cron) is None


@pytest.mark.parametrize(("cron", "problem"), [
    ("0 2 * *", "has 4 fields"),
    ("0 0 2 * * *", "has 6 fields"),
    ("61 * * * *", "is not a valid cron expression"),
    ("@every 5m", "use `interval` instead"),
    ("@sometimes", "unknown cron shorthand"),
    ("CRON_TZ=Europe/Paris 0 2 * * *", "give the time zone as `timezone`"),
])
def test_invalid_cron_expressions_say_why(cron: str, problem: str) -> None:
    found = cron_problem(cron)
    assert found is not None and problem in found


def test_time_zones_are_iana_names() -> None:
    assert known_timezone("UTC") and known_timezone("Europe/Paris") and known_timezone("America/New_York")
    assert not known_timezone("Europe/Pariss") and not known_timezone("Local") and not known_timezone("")
