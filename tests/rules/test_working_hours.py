"""Working hours, pure: when a member is at work in their own zone, their next morning, the last working
moment before an instant, across odd offsets, DST changes, days off and public holidays.

Expected instants are written by hand (UTC) from the zone's offset, never with the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from rules.holidays import HolidayCalendar, UnknownCalendar, calendar_for, holiday_name, holidays_between
from rules.schedule import (
    WorkingHours,
    is_working_day,
    is_working_time,
    last_working_moment_at_or_before,
    next_working_start,
)

MINUTE = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2026-06-15 is a Monday; 2026-06-19 a Friday.
@pytest.mark.parametrize(
    "tz, start_utc, end_utc",
    [
        ("Asia/Kolkata", utc(2026, 6, 15, 3, 30), utc(2026, 6, 15, 12, 30)),  # +05:30
        ("Asia/Kathmandu", utc(2026, 6, 15, 3, 15), utc(2026, 6, 15, 12, 15)),  # +05:45
        ("Pacific/Chatham", utc(2026, 6, 14, 20, 15), utc(2026, 6, 15, 5, 15)),  # +12:45 in June (winter)
        ("Pacific/Kiritimati", utc(2026, 6, 14, 19, 0), utc(2026, 6, 15, 4, 0)),  # +14
        ("Pacific/Pago_Pago", utc(2026, 6, 15, 20, 0), utc(2026, 6, 16, 5, 0)),  # -11
        ("Pacific/Honolulu", utc(2026, 6, 15, 19, 0), utc(2026, 6, 16, 4, 0)),  # -10
    ],
)
def test_a_working_day_runs_from_nine_to_six_on_the_members_own_clock(
    tz: str, start_utc: datetime, end_utc: datetime
) -> None:
    hours = WorkingHours(tz)
    assert hours.window(date(2026, 6, 15)) == (start_utc, end_utc)
    assert is_working_time(start_utc, hours) and is_working_time(end_utc, hours)
    assert not is_working_time(start_utc - MINUTE, hours)
    assert not is_working_time(end_utc + MINUTE, hours)
    # Just after the end, the next start is the next morning; the last working moment is the end.
    assert last_working_moment_at_or_before(end_utc + MINUTE, hours) == end_utc
    assert next_working_start(end_utc + MINUTE, hours) == hours.window(date(2026, 6, 16))[0]


def test_chatham_in_summer_is_plus_thirteen_forty_five() -> None:
    hours = WorkingHours("Pacific/Chatham")
    # 2026-01-12 is a Monday; Chatham is +13:45 in January, so 09:00 there is 19:15 UTC the day before.
    assert hours.window(date(2026, 1, 12)) == (utc(2026, 1, 11, 19, 15), utc(2026, 1, 12, 4, 15))
    assert is_working_time(utc(2026, 1, 11, 19, 15), hours)
    assert not is_working_time(utc(2026, 1, 11, 19, 14), hours)


def test_weekends_days_off_and_extra_days() -> None:
    hours = WorkingHours(
        "Europe/Berlin", days_off=frozenset({date(2026, 6, 17)}), extra_days=frozenset({date(2026, 6, 20)})
    )
    assert is_working_day(date(2026, 6, 16), hours)
    assert not is_working_day(date(2026, 6, 17), hours)  # a day off
    assert is_working_day(date(2026, 6, 20), hours)  # a Saturday the member said they work
    assert not is_working_day(date(2026, 6, 21), hours)  # Sunday
    # From Tuesday evening, the next start skips Wednesday off: Thursday 09:00 CEST = 07:00 UTC.
    assert next_working_start(utc(2026, 6, 16, 17, 0), hours) == utc(2026, 6, 18, 7, 0)
    # Before Thursday's start, the last working moment is Tuesday's end (Wednesday is off): 18:00 CEST.
    assert last_working_moment_at_or_before(utc(2026, 6, 18, 6, 0), hours) == utc(2026, 6, 16, 16, 0)


def test_the_previous_working_day_of_a_monday_morning_is_friday() -> None:
    hours = WorkingHours("Asia/Kolkata")
    # Monday 2026-06-15 08:00 IST (02:30 UTC): Friday 18:00 IST = 12:30 UTC.
    assert last_working_moment_at_or_before(utc(2026, 6, 15, 2, 30), hours) == utc(2026, 6, 12, 12, 30)
    assert next_working_start(utc(2026, 6, 13, 12, 0), hours) == utc(2026, 6, 15, 3, 30)


def test_working_days_of_the_members_choice() -> None:
    hours = WorkingHours("Asia/Dubai", workdays=frozenset({6, 0, 1, 2, 3}))  # Sunday to Thursday
    assert is_working_day(date(2026, 6, 14), hours)  # Sunday
    assert not is_working_day(date(2026, 6, 19), hours)  # Friday
    # Friday 2026-06-19 12:00 Dubai (+4): the last working moment is Thursday 18:00 = 14:00 UTC.
    assert last_working_moment_at_or_before(utc(2026, 6, 19, 8, 0), hours) == utc(2026, 6, 18, 14, 0)


def test_no_working_day_gives_none() -> None:
    hours = WorkingHours("UTC", workdays=frozenset())
    assert next_working_start(utc(2026, 6, 15), hours) is None
    assert last_working_moment_at_or_before(utc(2026, 6, 15), hours) is None


# -- DST -------------------------------------------------------------------------------------------------


def test_berlin_spring_and_autumn_days_keep_nine_to_six_local() -> None:
    hours = WorkingHours("Europe/Berlin", workdays=frozenset(range(7)))
    # Sunday 2026-03-29: clocks go 02:00 -> 03:00; 09:00 is CEST (+2).
    assert hours.window(date(2026, 3, 29)) == (utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 16, 0))
    assert hours.window(date(2026, 3, 28)) == (utc(2026, 3, 28, 8, 0), utc(2026, 3, 28, 17, 0))
    # Sunday 2026-10-25: clocks go 03:00 -> 02:00; 09:00 is CET (+1).
    assert hours.window(date(2026, 10, 25)) == (utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 17, 0))
    assert hours.window(date(2026, 10, 24)) == (utc(2026, 10, 24, 7, 0), utc(2026, 10, 24, 16, 0))


def test_a_working_day_starting_in_a_dst_gap_starts_at_the_gaps_end() -> None:
    # New York, Sunday 2026-03-08: 02:00 -> 03:00. A day starting at 02:30 starts at 03:00 EDT = 07:00 UTC.
    hours = WorkingHours("America/New_York", start=time(2, 30), end=time(11, 0), workdays=frozenset({6}))
    assert hours.window(date(2026, 3, 8))[0] == utc(2026, 3, 8, 7, 0)
    assert not is_working_time(utc(2026, 3, 8, 6, 59), hours)
    assert is_working_time(utc(2026, 3, 8, 7, 0), hours)


def test_a_working_day_ending_in_an_autumn_overlap_ends_at_its_first_occurrence() -> None:
    # New York, Sunday 2026-11-01: 02:00 EDT -> 01:00 EST. 01:30 happens twice; the first is 05:30 UTC.
    hours = WorkingHours("America/New_York", start=time(0, 0), end=time(1, 30), workdays=frozenset({6}))
    assert hours.window(date(2026, 11, 1))[1] == utc(2026, 11, 1, 5, 30)
    assert not is_working_time(utc(2026, 11, 1, 6, 30), hours)  # 01:30 EST, the second one


# -- public holidays -------------------------------------------------------------------------------------


def test_holidays_come_from_python_holidays_by_country_and_region() -> None:
    bavaria = calendar_for("de", "by")
    assert bavaria == HolidayCalendar("DE", "BY")
    assert holiday_name(bavaria, date(2026, 1, 6)) is not None  # Epiphany: Bavaria's, not Berlin's
    assert holiday_name(calendar_for("DE", "BE"), date(2026, 1, 6)) is None
    days = holidays_between(calendar_for("US"), date(2026, 7, 1), date(2026, 7, 31))
    assert date(2026, 7, 3) in days  # Independence Day (a Saturday), observed on the Friday
    assert holidays_between(None, date(2026, 1, 1), date(2026, 12, 31)) == {}
    across = holidays_between(calendar_for("DE"), date(2026, 12, 24), date(2027, 1, 2))
    assert list(across) == [date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)]


def test_a_holiday_is_not_a_working_day_unless_the_member_says_they_work() -> None:
    hours = WorkingHours("Europe/Berlin", holidays=calendar_for("DE", "BY"))
    assert not is_working_day(date(2026, 1, 6), hours)
    # Tuesday 2026-01-06 noon: the last working moment is Monday 18:00 CET = 17:00 UTC.
    assert last_working_moment_at_or_before(utc(2026, 1, 6, 11, 0), hours) == utc(2026, 1, 5, 17, 0)
    worked = WorkingHours(
        "Europe/Berlin", holidays=calendar_for("DE", "BY"), extra_days=frozenset({date(2026, 1, 6)})
    )
    assert is_working_day(date(2026, 1, 6), worked)


@pytest.mark.parametrize("country, region, named", [("XX", None, "XX"), ("DE", "ZZ", "BY")])
def test_an_unknown_country_or_region_says_how_to_find_the_codes(
    country: str, region: str | None, named: str
) -> None:
    with pytest.raises(UnknownCalendar) as refused:
        calendar_for(country, region)
    assert named in str(refused.value)
    assert "holidays.readthedocs.io" in str(refused.value)
