"""Local days and weeks: `local_today`, `zone`, `week_of`, `describe_day`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from rules.calendar import DateRange, describe_day, local_today, week_of, zone

# One instant, seen from zones up to 25 hours apart.
INSTANT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def test_utc_date_at_the_instant() -> None:
    assert local_today(INSTANT, "UTC") == date(2026, 11, 23)


def test_kathmandu_is_five_hours_forty_five_ahead() -> None:
    assert local_today(datetime(2026, 11, 23, 18, 14, 59, tzinfo=UTC), "Asia/Kathmandu") == date(2026, 11, 23)
    assert local_today(datetime(2026, 11, 23, 18, 15, tzinfo=UTC), "Asia/Kathmandu") == date(2026, 11, 24)


def test_chatham_in_its_summer_is_thirteen_forty_five_ahead() -> None:
    assert local_today(datetime(2026, 11, 23, 10, 14, 59, tzinfo=UTC), "Pacific/Chatham") == date(
        2026, 11, 23
    )
    assert local_today(datetime(2026, 11, 23, 10, 15, tzinfo=UTC), "Pacific/Chatham") == date(2026, 11, 24)


def test_kiritimati_is_fourteen_hours_ahead() -> None:
    assert local_today(datetime(2026, 11, 23, 9, 59, 59, tzinfo=UTC), "Pacific/Kiritimati") == date(
        2026, 11, 23
    )
    assert local_today(datetime(2026, 11, 23, 10, tzinfo=UTC), "Pacific/Kiritimati") == date(2026, 11, 24)


def test_pago_pago_is_eleven_hours_behind() -> None:
    assert local_today(datetime(2026, 11, 23, 10, 59, 59, tzinfo=UTC), "Pacific/Pago_Pago") == date(
        2026, 11, 22
    )
    assert local_today(datetime(2026, 11, 23, 11, tzinfo=UTC), "Pacific/Pago_Pago") == date(2026, 11, 23)


def test_one_instant_is_three_different_dates_around_the_world() -> None:
    dates = {
        tz: local_today(INSTANT, tz)
        for tz in ("Pacific/Pago_Pago", "UTC", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati")
    }
    assert dates == {
        "Pacific/Pago_Pago": date(2026, 11, 22),
        "UTC": date(2026, 11, 23),
        "Asia/Kathmandu": date(2026, 11, 23),
        "Pacific/Chatham": date(2026, 11, 24),
        "Pacific/Kiritimati": date(2026, 11, 24),
    }


def test_the_offset_of_now_does_not_matter_only_the_instant() -> None:
    same_instant = INSTANT.astimezone(timezone(timedelta(hours=-9)))
    assert same_instant.date() == date(2026, 11, 23)
    assert local_today(same_instant, "Pacific/Kiritimati") == date(2026, 11, 24)


def test_a_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2026, 11, 23, 10, 30), "UTC")


@pytest.mark.parametrize("name", ["Not/A_Zone", "", "../etc/passwd", "/etc/localtime"])
def test_an_unknown_zone_name_falls_back_to_utc(name: str) -> None:
    assert zone(name).key == "UTC"
    assert local_today(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), name) == date(2026, 11, 23)


def test_a_zone_folder_name_falls_back_to_utc() -> None:
    assert zone("America").key == "UTC"


@pytest.mark.parametrize("day", [date(2026, 11, 23) + timedelta(days=n) for n in range(7)])
def test_week_of_runs_monday_to_sunday(day: date) -> None:
    week = week_of(day)
    assert week == DateRange(date(2026, 11, 23), date(2026, 11, 29))
    assert week.first.weekday() == 0
    assert week.last.weekday() == 6
    assert week.days == 7
    assert day in week


def test_week_of_spans_a_year_boundary() -> None:
    assert week_of(date(2027, 1, 1)) == DateRange(date(2026, 12, 28), date(2027, 1, 3))


def test_a_date_range_contains_its_ends_and_nothing_outside() -> None:
    week = week_of(date(2026, 11, 25))
    assert date(2026, 11, 23) in week
    assert date(2026, 11, 29) in week
    assert date(2026, 11, 22) not in week
    assert date(2026, 11, 30) not in week


def test_describe_today() -> None:
    assert describe_day(date(2026, 11, 23), date(2026, 11, 23)) == "today"


def test_describe_yesterday() -> None:
    assert describe_day(date(2026, 11, 22), date(2026, 11, 23)) == "yesterday"


def test_describe_yesterday_across_a_year_boundary() -> None:
    assert describe_day(date(2026, 12, 31), date(2027, 1, 1)) == "yesterday"


def test_describe_another_day_this_year() -> None:
    assert describe_day(date(2026, 11, 2), date(2026, 11, 23)) == "Mon 2 Nov"


def test_describe_a_day_in_another_year_adds_the_year() -> None:
    assert describe_day(date(2026, 12, 30), date(2027, 1, 1)) == "Wed 30 Dec 2026"


def test_describe_tomorrow_is_a_plain_date() -> None:
    assert describe_day(date(2026, 11, 24), date(2026, 11, 23)) == "Tue 24 Nov"
