"""Five-field Unix cron expressions, as monitor cadences use them.

The Websets API accepts a monitor cron only when it is "a valid Unix cron with 5 fields" that
"triggers at most once per day". We read that as: minute and hour each name exactly one value
(every day that matches fires once, at one wall-clock time). Day-of-month and day-of-week combine
the way Vixie cron does: when both are restricted (neither starts with ``*``) a day matches if
*either* matches; otherwise both must.

``cron_problem`` is shared by the manifest validator and the emulator so the two never disagree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as _tz
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAY_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day-of-month", 1, 31, {}),
    _Field("month", 1, 12, _MONTH_NAMES),
    # 7 is Sunday as well as 0, as in every common cron.
    _Field("day-of-week", 0, 7, _DAY_NAMES),
)

#: Longest possible wait for a matching day: Feb 29 on a given weekday can skip a century year.
_MAX_DAYS = 366 * 30


class CronError(ValueError):
    """The expression is not a valid 5-field cron (message is one line)."""


@dataclass(frozen=True)
class Schedule:
    """A parsed cron expression: the set of values each field allows."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    day_star: bool  # the day-of-month field started with "*"
    weekday_star: bool  # the day-of-week field started with "*"

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.day_star or self.weekday_star:
            return in_days and in_weekdays
        return in_days or in_weekdays


def parse(expr: str) -> Schedule:
    """Parse a 5-field cron expression or raise CronError."""
    if not isinstance(expr, str):
        raise CronError("cron must be a string")
    parts = expr.split()
    if len(parts) != 5:
        raise CronError(
            "cron must have 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)}"
        )
    values = [_parse_field(text, spec) for text, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(v % 7 for v in values[4])
    return Schedule(
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=weekdays,
        day_star=parts[2].startswith("*"),
        weekday_star=parts[4].startswith("*"),
    )


def _parse_field(text: str, spec: _Field) -> frozenset[int]:
    result: set[int] = set()
    for item in text.split(","):
        result.update(_parse_item(item, spec))
    return frozenset(result)


def _parse_item(item: str, spec: _Field) -> range:
    where = f"{spec.name} field {item!r}"
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not (step_text.isascii() and step_text.isdecimal()) or int(step_text) < 1:
            raise CronError(f"{where}: step must be a positive number")
        step = int(step_text)
    if base == "*":
        return range(spec.low, spec.high + 1, step)
    low_text, dash, high_text = base.partition("-")
    low = _parse_value(low_text, spec, where)
    if dash:
        high = _parse_value(high_text, spec, where)
        if high < low:
            raise CronError(f"{where}: range start is after its end")
    else:
        # "5/15" means "from 5 to the end, every 15" (cronie, croniter); a bare "5" is just 5.
        high = spec.high if slash else low
    return range(low, high + 1, step)


def _parse_value(text: str, spec: _Field, where: str) -> int:
    lowered = text.lower()
    if lowered in spec.names:
        return spec.names[lowered]
    if not text.isdecimal() or not text.isascii():
        raise CronError(f"{where}: {text!r} is not a number" + _name_hint(spec))
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise CronError(f"{where}: {value} is out of range {spec.low}-{spec.high}")
    return value


def _name_hint(spec: _Field) -> str:
    if spec.names:
        return f" or a name ({'/'.join(list(spec.names)[:3])}…)"
    return ""


def cron_problem(expr: str) -> str | None:
    """None if ``expr`` is a valid 5-field cron firing at most once a day, else why not."""
    try:
        schedule = parse(expr)
    except CronError as exc:
        return str(exc)
    if len(schedule.minutes) != 1 or len(schedule.hours) != 1:
        return (
            f"cron {expr.strip()!r} fires more than once per day; the API allows at most one "
            "run per day (use one fixed minute and one fixed hour, e.g. '0 9 * * 1')"
        )
    if not _ever_fires(schedule):
        return f"cron {expr.strip()!r} never fires (no month has such a day)"
    return None


def _ever_fires(schedule: Schedule) -> bool:
    # With day-of-week involved some weekday always matches; only a day-of-month limit combined
    # with months can be impossible (e.g. "0 0 30 2 *").
    if not schedule.weekday_star and not schedule.day_star:
        return True
    if not schedule.weekday_star:
        return bool(schedule.weekdays)
    longest = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}
    return any(d <= longest.get(m, 31) for m in schedule.months for d in schedule.days)


def next_run(expr: str, timezone: str, after: datetime) -> datetime:
    """The first time strictly after ``after`` at which ``expr`` fires, in ``timezone``.

    ``after`` must be timezone-aware. A wall-clock time skipped by a DST change runs at the same
    offset after the gap (02:30 → 03:30); a repeated one runs once, at its first occurrence.
    Raises CronError for an invalid or never-firing expression, ValueError for a naive ``after``
    or an unknown timezone.
    """
    problem = cron_problem(expr)
    if problem is not None:
        raise CronError(problem)
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {timezone!r}") from exc
    schedule = parse(expr)
    (hour,) = schedule.hours
    (minute,) = schedule.minutes
    # Start a day early: the local date of `after` may trail the date of the next run's wall time.
    day = after.astimezone(zone).date() - timedelta(days=1)
    # Compare in UTC: datetimes sharing a tzinfo compare by wall time, ignoring DST folds.
    after_utc = after.astimezone(_tz.utc)
    for _ in range(_MAX_DAYS):
        if schedule.matches_day(day):
            wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            candidate = wall.astimezone(_tz.utc)
            if candidate > after_utc:
                return candidate.astimezone(zone)
        day += timedelta(days=1)
    raise CronError(f"cron {expr!r} does not fire within {_MAX_DAYS} days")  # pragma: no cover
