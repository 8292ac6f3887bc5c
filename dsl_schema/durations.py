"""Durations and timestamps as definitions write them.

A duration is a number of seconds (``90``, ``0.5``), a compact string (``500ms``, ``30s``, ``5m``, ``24h``,
``2d``, ``1w``, or combinations such as ``1h30m``) or ISO 8601 (``PT30S``, ``P1DT2H``), at most
:data:`MAX_DURATION_SECONDS`. Timestamps are ISO 8601; a timestamp without a zone is taken as UTC.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tdsl.errors import LanguageError

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_COMPACT = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)(ms|s|m|h|d|w)\s*)+$")
_COMPACT_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_ISO = re.compile(
    r"^P(?!$)(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


MAX_DURATION_SECONDS = 100 * 365 * 86400
"""The longest duration accepted (100 years); longer ones overflow Python's ``timedelta`` and Temporal's
durations, which would fail the workflow task instead of the run."""


class DurationError(LanguageError, ValueError):
    """A value that is not a duration or timestamp; the message says what is accepted."""


def _checked(seconds: float, value: object) -> float:
    if math.isnan(seconds):
        raise DurationError(f"{value!r} is not a duration")
    if seconds < 0:
        raise DurationError(f"duration {value!r} is negative")
    if seconds > MAX_DURATION_SECONDS:
        raise DurationError(f"duration {value!r} is longer than 100 years")
    return seconds


def _seconds(value: object) -> float:
    kind = type(value)  # exact types first: workflows call this for every activity, in a sandbox where
    if kind is str:     # isinstance() is wrapped and several times slower
        return _text_seconds(value)
    if kind is int or kind is float:
        return _number_seconds(value)  # type: ignore[arg-type]
    if isinstance(value, bool):
        raise DurationError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        return _number_seconds(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if not isinstance(value, str):
        raise DurationError(f"{value!r} is not a duration")
    return _text_seconds(str(value))


def _number_seconds(value: float) -> float:
    try:
        return float(value)
    except OverflowError:
        raise DurationError(f"duration {value!r} is longer than 100 years") from None


@lru_cache(maxsize=1024)
def _text_seconds(value: str) -> float:
    """Seconds of a duration text (cached: definitions repeat the same few texts on every call)."""
    text = value.strip()
    if _NUMBER.match(text):
        return float(text)
    if _COMPACT.match(text):
        return sum(float(n) * _UNIT_SECONDS[u] for n, u in _COMPACT_PART.findall(text))
    iso = _ISO.match(text.upper())
    if iso:
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return (
            parts.get("w", 0) * 604800
            + parts.get("d", 0) * 86400
            + parts.get("h", 0) * 3600
            + parts.get("m", 0) * 60
            + parts.get("s", 0)
        )
    raise DurationError(
        f"{value!r} is not a duration "
        "(use seconds, '500ms', '30s', '5m', '24h', '2d', '1h30m' or ISO 8601 'PT30S')"
    )


def parse_duration(value: object) -> float:
    """Return the duration ``value`` in seconds, or raise :class:`DurationError`."""
    return _checked(_seconds(value), value)


def is_duration(value: object) -> bool:
    """Whether ``value`` parses as a duration."""
    try:
        parse_duration(value)
    except DurationError:
        return False
    return True


def parse_timestamp(value: object) -> datetime:
    """Return an aware datetime for an ISO 8601 string (or datetime); naive values are UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as err:
            raise DurationError(f"{value!r} is not an ISO 8601 timestamp") from err
    else:
        raise DurationError(f"{value!r} is not an ISO 8601 timestamp")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
