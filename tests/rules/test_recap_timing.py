"""When a report's recap comes: within the report's own working hours, at least an hour before their
manager's digest, the latest such moment; at the end of their previous working day when the digest
comes before their day starts. Expected instants are worked out by hand; the property test checks
each recap against the wall clock read with plain zoneinfo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.holidays import calendar_for
from rules.schedule import RECAP_LEAD, WorkingHours, next_recap, next_weekly

FRIDAY, MONDAY = 4, 0


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Manager in New York, digest Friday 16:00 EST (21:00 UTC) on Friday 2026-11-27; searched from Monday.
MONDAY_23_NOV = utc(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    "report_tz, expected",
    [
        # Kolkata (+05:30): an hour before the digest is 01:30 Saturday there; Friday 18:00 IST is 12:30 UTC.
        ("Asia/Kolkata", utc(2026, 11, 27, 12, 30)),
        # Kathmandu (+05:45): 01:45 Saturday; Friday 18:00 there is 12:15 UTC.
        ("Asia/Kathmandu", utc(2026, 11, 27, 12, 15)),
        # Chatham (+13:45 in November): 09:45 Saturday; Friday 18:00 there is 04:15 UTC.
        ("Pacific/Chatham", utc(2026, 11, 27, 4, 15)),
        # Kiritimati (+14): 10:00 Saturday; Friday 18:00 there is 04:00 UTC.
        ("Pacific/Kiritimati", utc(2026, 11, 27, 4, 0)),
        # Honolulu (-10): 10:00 Friday there, within the day: exactly an hour before, 20:00 UTC.
        ("Pacific/Honolulu", utc(2026, 11, 27, 20, 0)),
        # Pago Pago (-11): 09:00 Friday there, the first minute of the day.
        ("Pacific/Pago_Pago", utc(2026, 11, 27, 20, 0)),
        # Berlin (+01:00): 21:00 Friday, after the day: its end, 18:00 = 17:00 UTC.
        ("Europe/Berlin", utc(2026, 11, 27, 17, 0)),
    ],
)
def test_a_recap_comes_in_the_reports_own_day(report_tz: str, expected: datetime) -> None:
    due, day = next_recap(FRIDAY, time(16, 0), "America/New_York", MONDAY_23_NOV, WorkingHours(report_tz))
    assert (due, day) == (expected, date(2026, 11, 27))


def test_without_working_hours_the_recap_is_an_hour_before() -> None:
    due, _ = next_recap(FRIDAY, time(16, 0), "America/New_York", MONDAY_23_NOV)
    assert due == utc(2026, 11, 27, 21, 0) - RECAP_LEAD


def test_a_monday_morning_digest_gets_the_recap_at_the_end_of_friday() -> None:
    # Manager in Berlin, digest Monday 08:00 CET (07:00 UTC) on 2026-11-30; report in Los Angeles: an hour
    # before is Sunday 22:00 there, so Friday 18:00 PST = Saturday 02:00 UTC.
    due, day = next_recap(
        MONDAY, time(8, 0), "Europe/Berlin", MONDAY_23_NOV, WorkingHours("America/Los_Angeles")
    )
    assert (due, day) == (utc(2026, 11, 28, 2, 0), date(2026, 11, 30))


def test_a_day_off_or_a_holiday_moves_the_recap_to_the_working_day_before() -> None:
    # Report in Munich, manager in Berlin, digest Tuesday 2026-01-06 16:00 CET: Epiphany in Bavaria, so the
    # recap comes at the end of Monday 5 January, 18:00 CET = 17:00 UTC.
    after = utc(2026, 1, 1, 12, 0)
    bavaria = WorkingHours("Europe/Berlin", holidays=calendar_for("DE", "BY"))
    assert next_recap(1, time(16, 0), "Europe/Berlin", after, bavaria) == (
        utc(2026, 1, 5, 17, 0),
        date(2026, 1, 6),
    )
    berlin = WorkingHours("Europe/Berlin", holidays=calendar_for("DE", "BE"))
    assert next_recap(1, time(16, 0), "Europe/Berlin", after, berlin) == (
        utc(2026, 1, 6, 14, 0),
        date(2026, 1, 6),
    )
    off = WorkingHours("Europe/Berlin", days_off=frozenset({date(2026, 1, 5), date(2026, 1, 6)}))
    # Monday and Tuesday off: Friday 2 January, 18:00 CET.
    assert next_recap(1, time(16, 0), "Europe/Berlin", after, off) == (
        utc(2026, 1, 2, 17, 0),
        date(2026, 1, 6),
    )


def test_a_report_off_all_week_gets_no_recap_that_week() -> None:
    week_off = frozenset(date(2026, 11, 23) + timedelta(days=n) for n in range(5))
    # Their day ends at 16:00, when the digest comes: after Friday 20's recap (15:00 CET), their last
    # working moment before Friday 27's digest is Friday 20 16:00, the previous digest itself, not within
    # the seven days before this one: no recap for that week; the next is Friday 4 December's.
    hours = WorkingHours("Europe/Berlin", end=time(16, 0), days_off=week_off)
    due, day = next_recap(FRIDAY, time(16, 0), "Europe/Berlin", utc(2026, 11, 20, 14, 0), hours)
    assert (due, day) == (utc(2026, 12, 4, 14, 0), date(2026, 12, 4))
    # Working until 18:00, Friday 20's last two hours come after the previous digest: the recap for the
    # week they are off comes then, at the end of their previous working day.
    longer = WorkingHours("Europe/Berlin", days_off=week_off)
    due, day = next_recap(FRIDAY, time(16, 0), "Europe/Berlin", utc(2026, 11, 20, 14, 0), longer)
    assert (due, day) == (utc(2026, 11, 20, 17, 0), date(2026, 11, 27))


def test_the_next_recap_after_one_is_the_next_weeks() -> None:
    hours = WorkingHours("Asia/Kolkata")
    first = next_recap(FRIDAY, time(16, 0), "America/New_York", MONDAY_23_NOV, hours)
    assert first is not None
    second = next_recap(FRIDAY, time(16, 0), "America/New_York", first[0], hours)
    assert second == (utc(2026, 12, 4, 12, 30), date(2026, 12, 4))


# -- DST ---------------------------------------------------------------------------------------------------


def test_recaps_across_berlins_and_new_yorks_clock_changes() -> None:
    # Manager in New York, digest Friday 10:00; report in Berlin, 09:00-18:00.
    hours = WorkingHours("Europe/Berlin")
    # Friday 2026-03-20: New York is on EDT (-4) since 8 March, Berlin still on CET (+1): 10:00 EDT is
    # 14:00 UTC, an hour before is 14:00 CET, within the day: 13:00 UTC.
    assert next_recap(FRIDAY, time(10, 0), "America/New_York", utc(2026, 3, 16), hours) == (
        utc(2026, 3, 20, 13, 0),
        date(2026, 3, 20),
    )
    # Friday 2026-03-27 (Berlin changes on Sunday 29 March): the same. Friday 2026-04-03, both on summer
    # time: 10:00 EDT is 14:00 UTC, an hour before is 15:00 CEST: 13:00 UTC.
    assert next_recap(FRIDAY, time(10, 0), "America/New_York", utc(2026, 3, 28), hours) == (
        utc(2026, 4, 3, 13, 0),
        date(2026, 4, 3),
    )
    # Friday 2026-10-30: Berlin is back on CET (25 October), New York still on EDT until 1 November.
    assert next_recap(FRIDAY, time(10, 0), "America/New_York", utc(2026, 10, 26), hours) == (
        utc(2026, 10, 30, 13, 0),
        date(2026, 10, 30),
    )
    # A report whose day would end inside Berlin's spring gap: Sunday 2026-03-29 worked 00:00-02:30,
    # digest Sunday 12:00 Berlin; 02:30 doesn't exist, so the day ends at 03:00 CEST = 01:00 UTC.
    sunday = WorkingHours("Europe/Berlin", start=time(0, 0), end=time(2, 30), workdays=frozenset({6}))
    assert next_recap(6, time(12, 0), "Europe/Berlin", utc(2026, 3, 28), sunday) == (
        utc(2026, 3, 29, 1, 0),
        date(2026, 3, 29),
    )


# -- the property: inside the report's hours, an hour or more before the digest, the latest such ----------

ZONES = (
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Eucla",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
)
STEP = timedelta(minutes=15)


def _working(instant: datetime, tz: str, start: time, end: time, workdays: frozenset[int]) -> bool:
    """The wall clock, read with plain zoneinfo: on a working weekday, between start and end."""
    local = instant.astimezone(ZoneInfo(tz))
    return local.weekday() in workdays and start <= local.time().replace(tzinfo=None) <= end


@settings(max_examples=60, deadline=None)
@given(
    manager_tz=st.sampled_from(ZONES),
    report_tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    digest_minute=st.integers(0, 24 * 4 - 1).map(lambda q: q * 15),
    start_quarter=st.integers(4 * 5, 4 * 11),
    length_quarters=st.integers(4 * 4, 4 * 10),
    workdays=st.sets(st.integers(0, 6), min_size=1).map(frozenset),
    after=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
)
def test_every_recap_is_in_working_hours_an_hour_before_the_digest_and_the_latest_such(
    manager_tz: str,
    report_tz: str,
    weekday: int,
    digest_minute: int,
    start_quarter: int,
    length_quarters: int,
    workdays: frozenset[int],
    after: datetime,
) -> None:
    at = time(*divmod(digest_minute, 60))
    start = time(*divmod(start_quarter * 15, 60))
    end = time(*divmod(min(start_quarter + length_quarters, 4 * 24 - 1) * 15, 60))
    hours = WorkingHours(report_tz, start=start, end=end, workdays=workdays)
    found = next_recap(weekday, at, manager_tz, after, hours)
    assert found is not None
    due, day = found
    digest, digest_day = next_weekly(weekday, at, manager_tz, due)  # the digest this recap is before
    assert digest_day == day
    assert due > after
    assert digest - due >= RECAP_LEAD
    assert _working(due, report_tz, start, end, workdays)
    # The latest: no working quarter-hour of the report between it and an hour before the digest (on a
    # quarter-hour grid, which every zone here and every time drawn sits on).
    moment = due + STEP
    while moment <= digest - RECAP_LEAD:
        assert not _working(moment, report_tz, start, end, workdays), moment
        moment += STEP
