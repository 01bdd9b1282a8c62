"""cron_problem / next_run: the monitor cadence rules the validator and the emulator share."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from websets_sync.model.cron import CronError, cron_problem, next_run, parse

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "expr",
    [
        "0 9 * * 1",
        "30 6 1 * *",
        "0 0 * * mon-fri",
        "15 14 1,15 * *",
        "0 12 */2 jan,jul *",
        "0 0 * * 7",
        "0 0 * * SUN",
        "59 23 31 dec *",
        "0 0 29 2 *",
        "  5   4  *  *  *  ",
        "0 9 1-31/7 * *",
        "0 9 * 3/3 *",
        "00 09 * * *",
    ],
)
def test_valid_daily_or_rarer(expr: str) -> None:
    assert cron_problem(expr) is None


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 9 * *", "cron must have 5 fields (minute hour day-of-month month day-of-week), got 4"),
        (
            "0 9 * * * *",
            "cron must have 5 fields (minute hour day-of-month month day-of-week), got 6",
        ),
        ("", "cron must have 5 fields (minute hour day-of-month month day-of-week), got 0"),
        ("@daily", "cron must have 5 fields (minute hour day-of-month month day-of-week), got 1"),
        ("60 9 * * *", "minute field '60': 60 is out of range 0-59"),
        ("0 24 * * *", "hour field '24': 24 is out of range 0-23"),
        ("0 9 0 * *", "day-of-month field '0': 0 is out of range 1-31"),
        ("0 9 * 13 *", "month field '13': 13 is out of range 1-12"),
        ("0 9 * * 8", "day-of-week field '8': 8 is out of range 0-7"),
        ("x 9 * * *", "minute field 'x': 'x' is not a number"),
        ("0 9 * * funday", "day-of-week field 'funday': 'funday' is not a number or a name"),
        ("0 9 5-1 * *", "day-of-month field '5-1': range start is after its end"),
        ("0 9 * * 1/0", "day-of-week field '1/0': step must be a positive number"),
        ("0 9 1,,2 * *", "day-of-month field '': '' is not a number"),
        ("0 9 * * -1", "day-of-week field '-1': '' is not a number"),
    ],
)
def test_invalid_syntax(expr: str, message: str) -> None:
    problem = cron_problem(expr)
    assert problem is not None
    assert problem.startswith(message)
    assert "\n" not in problem


@pytest.mark.parametrize(
    "expr",
    ["* 9 * * *", "*/5 9 * * *", "0 */2 * * *", "0 9-10 * * *", "0 9,21 * * *", "0,30 9 * * 1"],
)
def test_more_than_daily_is_refused(expr: str) -> None:
    assert cron_problem(expr) == (
        f"cron {expr!r} fires more than once per day; the API allows at most one run per day "
        "(use one fixed minute and one fixed hour, e.g. '0 9 * * 1')"
    )


@pytest.mark.parametrize("expr", ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 feb *"])
def test_never_firing_is_refused(expr: str) -> None:
    assert cron_problem(expr) == f"cron {expr!r} never fires (no month has such a day)"


def test_never_firing_day_is_fine_when_weekday_also_restricted() -> None:
    # Vixie OR: Feb 30 never happens, but every Monday in February does.
    assert cron_problem("0 0 30 2 1") is None
    assert next_run("0 0 30 2 1", "Etc/UTC", datetime(2026, 1, 1, tzinfo=UTC)) == datetime(
        2026, 2, 2, tzinfo=ZoneInfo("Etc/UTC")
    )


def test_next_run_weekly_in_new_york() -> None:
    after = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # a Sunday
    result = next_run("0 9 * * 1", "America/New_York", after)
    assert result == datetime(2026, 11, 23, 9, 0, tzinfo=NY)
    assert result.tzinfo == NY
    assert result.utcoffset() == timedelta(hours=-5)


def test_next_run_is_strictly_after() -> None:
    at = datetime(2026, 11, 23, 9, 0, tzinfo=NY)
    assert next_run("0 9 * * 1", "America/New_York", at) == datetime(2026, 11, 30, 9, 0, tzinfo=NY)
    assert next_run("0 9 * * 1", "America/New_York", at - timedelta(microseconds=1)) == at


def test_next_run_or_semantics_when_both_days_restricted() -> None:
    # Friday the 13th in Vixie cron means "every Friday and every 13th".
    after = datetime(2026, 3, 1, tzinfo=UTC)  # Sunday
    runs = []
    for _ in range(4):
        after = next_run("0 0 13 * 5", "Etc/UTC", after)
        runs.append(after.date())
    assert runs == [date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20), date(2026, 3, 27)]


def test_next_run_and_semantics_when_day_field_starts_with_star() -> None:
    # "*/2" starts with "*", so the day fields are ANDed: odd days that are Mondays.
    after = datetime(2026, 3, 1, tzinfo=UTC)
    result = next_run("0 0 */2 * mon", "Etc/UTC", after)
    assert result.date() == date(2026, 3, 9)


def test_next_run_across_spring_forward_gap() -> None:
    # 02:30 does not exist on 2026-03-08 in New York: the run happens at 03:30 EDT.
    after = datetime(2026, 3, 8, 0, 0, tzinfo=NY)
    result = next_run("30 2 * * *", "America/New_York", after)
    assert result == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (result.hour, result.minute) == (3, 30)


def test_next_run_on_fall_back_runs_once() -> None:
    # 01:30 happens twice on 2026-11-01 in New York; the job runs at the first one only.
    after = datetime(2026, 11, 1, 0, 0, tzinfo=NY)
    first = next_run("30 1 * * *", "America/New_York", after)
    # (Compare UTC instants: an aware datetime inside a repeated hour never equals another zone's.)
    assert first.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = next_run("30 1 * * *", "America/New_York", first)
    assert second.astimezone(UTC) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    # Asked from inside the second 01:xx hour, the next run is tomorrow, not the past first one.
    inside_repeat = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST, the second 01:10
    assert next_run("30 1 * * *", "America/New_York", inside_repeat) == second


def test_next_run_leap_day() -> None:
    result = next_run("0 0 29 2 *", "Etc/UTC", datetime(2026, 3, 1, tzinfo=UTC))
    assert result.date() == date(2028, 2, 29)


def test_next_run_rejects_bad_input() -> None:
    with pytest.raises(CronError, match="more than once per day"):
        next_run("* * * * *", "Etc/UTC", datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run("0 9 * * *", "Etc/UTC", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        next_run("0 9 * * *", "Mars/Olympus", datetime(2026, 1, 1, tzinfo=UTC))


# --- properties ---------------------------------------------------------------------------------

MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


@st.composite
def rendered_field(draw: st.DrawFn, low: int, high: int, names: list[str] | None = None) -> str:
    """A field in one of cron's spellings: *, */n, a-b/n, lists of values and ranges, names."""
    shape = draw(st.sampled_from(["star", "step", "list"]))
    if shape == "star":
        return "*"
    if shape == "step":
        start = draw(st.integers(low, high))
        end = draw(st.integers(start, high))
        step = draw(st.integers(1, 12))
        return f"{start}-{end}/{step}" if draw(st.booleans()) else f"*/{step}"
    values = draw(st.lists(st.integers(low, high), min_size=1, max_size=5))
    items = []
    for value in values:
        if names and draw(st.booleans()):
            items.append(names[value - low].upper() if draw(st.booleans()) else names[value - low])
        elif draw(st.booleans()) and value < high:
            items.append(f"{value}-{draw(st.integers(value, high))}")
        else:
            items.append(str(value))
    return ",".join(items)


def expand(text: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    """An independent, naive reading of a rendered field (the oracle for the parser)."""
    lookup = {n: i + low for i, n in enumerate(names or [])}
    result: set[int] = set()
    for item in text.lower().split(","):
        base, _, step = item.partition("/")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(x) for x in base.split("-"))
        else:
            start = end = lookup[base] if base in lookup else int(base)
        result.update(v for v in range(start, end + 1) if (v - start) % int(step or 1) == 0)
    return result


daily_exprs = st.tuples(
    st.integers(0, 59),
    st.integers(0, 23),
    rendered_field(1, 31),
    rendered_field(1, 12, MONTH_NAMES),
    rendered_field(0, 6, DAY_NAMES),
).map(lambda t: f"{t[0]} {t[1]} {t[2]} {t[3]} {t[4]}")

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
zones = st.sampled_from(["Etc/UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])


def oracle_matches(expr: str, day: date) -> bool:
    _, _, dom, mon, dow = expr.split()
    days = expand(dom, 1, 31)
    months = expand(mon, 1, 12, MONTH_NAMES)
    weekdays = expand(dow, 0, 6, DAY_NAMES)
    in_dom = day.day in days
    in_dow = day.isoweekday() % 7 in weekdays
    if day.month not in months:
        return False
    if dom.startswith("*") or dow.startswith("*"):
        return in_dom and in_dow
    return in_dom or in_dow


@settings(max_examples=200, deadline=None)
@given(daily_exprs)
def test_parser_agrees_with_naive_expansion(expr: str) -> None:
    schedule = parse(expr)
    _, _, dom, mon, dow = expr.split()
    assert schedule.days == expand(dom, 1, 31)
    assert schedule.months == expand(mon, 1, 12, MONTH_NAMES)
    assert schedule.weekdays == expand(dow, 0, 6, DAY_NAMES)


@settings(max_examples=200, deadline=None)
@given(daily_exprs, instants)
def test_next_run_in_utc_is_the_first_matching_day(expr: str, after: datetime) -> None:
    if cron_problem(expr) is not None:  # e.g. "31 of feb"
        return
    result = next_run(expr, "Etc/UTC", after)
    minute, hour = (int(x) for x in expr.split()[:2])
    assert result > after
    assert (result.hour, result.minute) == (hour, minute)
    assert oracle_matches(expr, result.date())
    day = after.date()
    while day < result.date():  # no matching day was skipped
        fires_that_day = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        assert not (oracle_matches(expr, day) and fires_that_day > after)
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(daily_exprs, instants, zones)
def test_next_run_is_stable_up_to_the_result(expr: str, after: datetime, zone: str) -> None:
    if cron_problem(expr) is not None:
        return
    result = next_run(expr, zone, after)
    assert result > after
    assert result.tzinfo == ZoneInfo(zone)
    # Nothing fires in (after, result): asking from any instant in between gives the same answer.
    stamp = result.timestamp()
    assert next_run(expr, zone, result - timedelta(microseconds=1)).timestamp() == stamp
    assert next_run(expr, zone, after + (result - after) / 2).timestamp() == stamp
    assert next_run(expr, zone, result).timestamp() > stamp


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=40)
    | st.lists(st.sampled_from(["*", "1", "-", ",", "/", "mon", "0", " "])).map("".join)
)
def test_cron_problem_never_raises(text: str) -> None:
    problem = cron_problem(text)
    assert problem is None or (problem and "\n" not in problem)
