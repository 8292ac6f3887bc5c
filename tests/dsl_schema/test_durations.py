"""Durations and timestamps as definitions write them."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tdsl.dsl_schema.durations import (
    MAX_DURATION_SECONDS,
    DurationError,
    is_duration,
    parse_duration,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (0, 0.0),
        (90, 90.0),
        (0.25, 0.25),
        ("90", 90.0),
        ("1.5", 1.5),
        ("500ms", 0.5),
        ("30s", 30.0),
        ("5m", 300.0),
        ("24h", 86400.0),
        ("2d", 172800.0),
        ("1w", 604800.0),
        ("1.5h", 5400.0),
        ("1h30m", 5400.0),
        ("1h 30m 15s", 5415.0),
        (" 10s ", 10.0),
        ("PT30S", 30.0),
        ("PT1M30S", 90.0),
        ("P1DT2H", 93600.0),
        ("P2W", 1209600.0),
        ("PT0.5S", 0.5),
        ("pt1m", 60.0),
        (timedelta(minutes=2), 120.0),
        (MAX_DURATION_SECONDS, float(MAX_DURATION_SECONDS)),
    ],
)
def test_accepted_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds
    assert is_duration(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "duration -1 is negative"),
        (-0.5, "duration -0.5 is negative"),
        (True, "True is not a duration"),
        (None, "None is not a duration"),
        ([30], "[30] is not a duration"),
        ("", "'' is not a duration (use seconds, '500ms', '30s', '5m', '24h', '2d', '1h30m' or ISO 8601"),
        ("soon", "'soon' is not a duration (use seconds"),
        ("5 m", "'5 m' is not a duration"),
        ("-5s", "'-5s' is not a duration"),
        ("5y", "'5y' is not a duration"),
        ("P", "'P' is not a duration"),
        ("PT", "'PT' is not a duration"),
        ("1e3", "'1e3' is not a duration"),
        (math.nan, "nan is not a duration"),
        (math.inf, "duration inf is longer than 100 years"),
        (MAX_DURATION_SECONDS + 1, "is longer than 100 years"),
        ("36501d", "duration '36501d' is longer than 100 years"),
        ("P99999999999D", "is longer than 100 years"),
        (10**400, "is longer than 100 years"),
    ],
)
def test_rejected_durations_say_why(value: object, message: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(value)
    assert message in str(caught.value)
    assert not is_duration(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.sampled_from(["ms", "s", "m", "h", "d", "w"])), min_size=1,
                max_size=4))
def test_compact_parts_add_up(parts: list[tuple[int, str]]) -> None:
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    text = "".join(f"{n}{u}" for n, u in parts)
    assert parse_duration(text) == pytest.approx(sum(n * unit[u] for n, u in parts))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=MAX_DURATION_SECONDS, allow_nan=False))
def test_every_accepted_duration_fits_a_timedelta(seconds: float) -> None:
    # What a workflow does with a duration: it must never overflow there (that would retry the task forever).
    assert timedelta(seconds=parse_duration(seconds)).total_seconds() == pytest.approx(seconds, abs=1e-6)
    assert timedelta(seconds=parse_duration(f"{seconds:f}s")) >= timedelta(0)


def test_timestamps() -> None:
    assert parse_timestamp("2030-01-02T03:04:05Z") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_timestamp("2030-01-02T03:04:05") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    plus_two = parse_timestamp("2030-01-02T05:04:05+02:00")
    assert plus_two == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert plus_two.utcoffset() == timezone(timedelta(hours=2)).utcoffset(None)
    naive = datetime(2030, 1, 1)
    assert parse_timestamp(naive).tzinfo is UTC
    for bad in ("tomorrow", "", 1700000000, None):
        with pytest.raises(DurationError, match="is not an ISO 8601 timestamp"):
            parse_timestamp(bad)
