"""The scheduling rules, pure: when each prompt is due in the member's own zone, DST gaps and overlaps,
days that are not remote, and how late is too late.

Expected instants are worked out by hand or with plain zoneinfo, never with the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules.schedule import (
    GRACE,
    RECAP_LEAD,
    Schedule,
    day_kind,
    is_late,
    local_instant,
    next_prompt,
    next_recap,
    next_weekly,
    parse_weekdays,
)

WEEKDAYS = frozenset(range(5))
# Every whole-hour offset from -11 to +14 is here, and the odd ones: half and quarter hours, 30-minute DST.
ZONES = (
    "Pacific/Pago_Pago",  # -11
    "Pacific/Honolulu",  # -10
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/St_Johns",  # -02:30 in summer
    "Atlantic/Azores",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Cairo",
    "Europe/Moscow",
    "Asia/Tehran",  # +03:30
    "Asia/Dubai",
    "Asia/Kabul",  # +04:30
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Asia/Yangon",  # +06:30
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Australia/Eucla",  # +08:45
    "Asia/Tokyo",
    "Australia/Adelaide",  # +09:30 / +10:30
    "Australia/Sydney",
    "Australia/Lord_Howe",  # +10:30 / +11, a 30-minute DST
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Tongatapu",  # +13
    "Pacific/Kiritimati",  # +14
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def wall(instant: datetime, tz: str) -> datetime:
    """The member's clock at `instant`, without the zone."""
    return instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# -- the next prompt, in every zone ---------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("kind, at", [("morning", time(9, 0)), ("eod", time(17, 0))])
def test_the_next_prompt_is_at_the_members_local_time_on_their_next_remote_day(
    tz: str, kind: str, at: time
) -> None:
    after = utc(
        2026, 6, 16, 12, 0
    )  # a Tuesday in UTC; already Wednesday in Kiritimati, still Tuesday in Samoa
    schedule = Schedule(tz=tz, remote_days=frozenset({1, 3}))  # Tuesdays and Thursdays
    instant, local_date = next_prompt(schedule, kind, after, {})
    assert instant > after
    assert wall(instant, tz) == datetime.combine(local_date, at)
    assert local_date.weekday() in (1, 3)
    # and it is the first: no remote day between `after` and it had its prompt still to come
    day = after.astimezone(ZoneInfo(tz)).date()
    while day < local_date:
        if day.weekday() in (1, 3):
            assert datetime.combine(day, at, ZoneInfo(tz)) <= after
        day += timedelta(days=1)


def test_across_the_date_line_the_same_utc_instant_is_two_different_local_days() -> None:
    after = utc(2026, 6, 16, 12, 0)
    everyday = frozenset(range(7))
    kiritimati = next_prompt(Schedule("Pacific/Kiritimati", everyday), "morning", after, {})
    pago_pago = next_prompt(Schedule("Pacific/Pago_Pago", everyday), "morning", after, {})
    assert kiritimati == (utc(2026, 6, 16, 19, 0), date(2026, 6, 17))  # 09:00 +14
    assert pago_pago == (utc(2026, 6, 16, 20, 0), date(2026, 6, 16))  # 09:00 -11


@pytest.mark.parametrize(
    "tz, expected",
    [
        ("Asia/Kathmandu", utc(2026, 6, 16, 3, 15)),  # 09:00 +05:45
        ("Pacific/Chatham", utc(2026, 6, 15, 20, 15)),  # 09:00 +12:45 (winter)
        ("Australia/Lord_Howe", utc(2026, 6, 15, 22, 30)),  # 09:00 +10:30 (winter)
        ("Australia/Eucla", utc(2026, 6, 16, 0, 15)),  # 09:00 +08:45
    ],
)
def test_quarter_and_half_hour_zones_get_their_own_nine_oclock(tz: str, expected: datetime) -> None:
    schedule = Schedule(tz=tz, remote_days=frozenset({1}))
    assert next_prompt(schedule, "morning", utc(2026, 6, 15, 0, 0), {}) == (expected, date(2026, 6, 16))


def test_chatham_nine_oclock_moves_with_its_summer_time() -> None:
    schedule = Schedule(tz="Pacific/Chatham", remote_days=frozenset({1}))
    instant, _ = next_prompt(schedule, "morning", utc(2026, 12, 14, 0, 0), {})
    assert instant == utc(2026, 12, 14, 19, 15)  # Tuesday 15 December 09:00 +13:45


# -- daylight saving: the spring gap and the autumn overlap ---------------------------------------------

DST_CASES = [
    # zone, local day, wall time, the instant it is sent, why
    ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0), "gap: 03:00 EDT"),
    ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), "overlap: first, EDT"),
    ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0), "gap: 03:00 CEST"),
    ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), "overlap: first, CEST"),
    ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30), "overlap: first, AEDT"),
    ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 0), "gap: 03:00 AEDT"),
    ("America/Santiago", date(2026, 4, 4), time(23, 30), utc(2026, 4, 5, 2, 30), "overlap: first, -03"),
    ("America/Santiago", date(2026, 9, 6), time(0, 30), utc(2026, 9, 6, 4, 0), "gap: 01:00 -03"),
    ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30), "gap: 02:30 +11"),
    ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45), "overlap: first, +11"),
    ("Pacific/Chatham", date(2026, 9, 27), time(3, 0), utc(2026, 9, 26, 14, 0), "gap: 03:45 +13:45"),
    ("Pacific/Chatham", date(2026, 4, 5), time(3, 0), utc(2026, 4, 4, 13, 15), "overlap: first, +13:45"),
]


@pytest.mark.parametrize("tz, day, at, expected, why", DST_CASES, ids=[f"{c[0]}-{c[1]}" for c in DST_CASES])
def test_a_time_in_a_gap_is_sent_at_its_end_and_one_in_an_overlap_at_its_first_occurrence(
    tz: str, day: date, at: time, expected: datetime, why: str
) -> None:
    assert local_instant(day, at, tz) == expected, why
    schedule = Schedule(tz=tz, remote_days=frozenset({day.weekday()}), morning=at)
    assert next_prompt(schedule, "morning", expected - timedelta(days=1), {}) == (expected, day)


@pytest.mark.parametrize("tz, day, at, expected, why", DST_CASES, ids=[f"{c[0]}-{c[1]}" for c in DST_CASES])
def test_after_a_dst_prompt_the_next_one_is_a_week_later_never_the_same_day_again(
    tz: str, day: date, at: time, expected: datetime, why: str
) -> None:
    schedule = Schedule(tz=tz, remote_days=frozenset({day.weekday()}), morning=at)
    following = next_prompt(schedule, "morning", expected, {})
    assert following is not None
    instant, local_date = following
    assert local_date == day + timedelta(days=7)
    assert wall(instant, tz) == datetime.combine(local_date, at)  # an ordinary day again


@pytest.mark.parametrize(
    "tz, before, after",
    [
        # Friday and Monday around each 2026 change: the same 09:00 on the wall, a different UTC hour
        ("America/New_York", utc(2026, 3, 6, 14, 0), utc(2026, 3, 9, 13, 0)),
        ("America/New_York", utc(2026, 10, 30, 13, 0), utc(2026, 11, 2, 14, 0)),
        ("Europe/Berlin", utc(2026, 3, 27, 8, 0), utc(2026, 3, 30, 7, 0)),
        ("Europe/Berlin", utc(2026, 10, 23, 7, 0), utc(2026, 10, 26, 8, 0)),
        ("Australia/Sydney", utc(2026, 4, 2, 22, 0), utc(2026, 4, 5, 23, 0)),
        ("Australia/Sydney", utc(2026, 10, 1, 23, 0), utc(2026, 10, 4, 22, 0)),
        ("America/Santiago", utc(2026, 4, 3, 12, 0), utc(2026, 4, 6, 13, 0)),
        ("America/Santiago", utc(2026, 9, 4, 13, 0), utc(2026, 9, 7, 12, 0)),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_a_dst_change(
    tz: str, before: datetime, after: datetime
) -> None:
    schedule = Schedule(tz=tz, remote_days=frozenset({0, 4}))  # Mondays and Fridays
    friday = next_prompt(schedule, "morning", before - timedelta(minutes=1), {})
    assert friday is not None and friday[0] == before
    monday = next_prompt(schedule, "morning", before, {})
    assert monday is not None and monday[0] == after
    assert wall(after, tz).time() == time(9, 0)


# -- which days ----------------------------------------------------------------------------------------


def test_a_member_with_no_remote_days_gets_no_prompt() -> None:
    assert next_prompt(Schedule(tz="Europe/Berlin"), "morning", utc(2026, 6, 15, 0, 0), {}) is None


def test_an_office_override_on_a_remote_weekday_skips_that_day() -> None:
    schedule = Schedule(tz="Europe/Berlin", remote_days=frozenset({1, 2}))
    overrides = {date(2026, 6, 16): "office"}
    assert next_prompt(schedule, "morning", utc(2026, 6, 15, 0, 0), overrides) == (
        utc(2026, 6, 17, 7, 0),
        date(2026, 6, 17),
    )


def test_a_day_off_on_a_remote_weekday_skips_that_day() -> None:
    schedule = Schedule(tz="Europe/Berlin", remote_days=frozenset({1, 2}))
    overrides = {date(2026, 6, 16): "off", date(2026, 6, 17): "off"}
    assert next_prompt(schedule, "eod", utc(2026, 6, 15, 0, 0), overrides) == (
        utc(2026, 6, 23, 15, 0),
        date(2026, 6, 23),
    )


def test_a_remote_override_on_an_office_day_or_a_weekend_prompts_that_day() -> None:
    schedule = Schedule(tz="Europe/Berlin", remote_days=frozenset({4}))
    overrides = {date(2026, 6, 20): "remote"}  # a Saturday
    assert next_prompt(schedule, "morning", utc(2026, 6, 19, 8, 0), overrides) == (
        utc(2026, 6, 20, 7, 0),
        date(2026, 6, 20),
    )


def test_a_remote_override_alone_is_enough_for_a_member_with_no_remote_weekdays() -> None:
    schedule = Schedule(tz="Asia/Kathmandu")
    overrides = {date(2026, 6, 18): "remote"}
    assert next_prompt(schedule, "morning", utc(2026, 6, 15, 0, 0), overrides) == (
        utc(2026, 6, 18, 3, 15),
        date(2026, 6, 18),
    )


def test_day_kind_reads_overrides_first_then_weekdays_and_weekends_are_off() -> None:
    schedule = Schedule(tz="UTC", remote_days=frozenset({0}))
    overrides = {date(2026, 6, 16): "remote", date(2026, 6, 22): "office"}
    assert day_kind(schedule, date(2026, 6, 15), overrides) == "remote"  # Monday
    assert day_kind(schedule, date(2026, 6, 16), overrides) == "remote"  # override
    assert day_kind(schedule, date(2026, 6, 17), overrides) == "office"
    assert day_kind(schedule, date(2026, 6, 20), overrides) == "off"  # Saturday
    assert day_kind(schedule, date(2026, 6, 22), overrides) == "office"  # a Monday, overridden


@pytest.mark.parametrize("change", [{"paused": True}, {"active": False}])
def test_a_paused_or_deactivated_member_gets_no_prompt(change: dict[str, bool]) -> None:
    schedule = Schedule(tz="Europe/Berlin", remote_days=WEEKDAYS, **change)
    assert next_prompt(schedule, "morning", utc(2026, 6, 15, 0, 0), {}) is None
    assert next_prompt(schedule, "eod", utc(2026, 6, 15, 0, 0), {date(2026, 6, 16): "remote"}) is None


# -- how late is too late ------------------------------------------------------------------------------


def test_the_grace_window_is_two_hours() -> None:
    assert timedelta(hours=2) == GRACE


def test_a_prompt_exactly_grace_late_is_still_sent_and_a_second_more_is_missed() -> None:
    due = utc(2026, 6, 16, 7, 0)
    assert not is_late(due, due)
    assert not is_late(due, due + timedelta(hours=1))
    assert not is_late(due, due + GRACE)
    assert is_late(due, due + GRACE + timedelta(seconds=1))
    assert is_late(due, due + timedelta(hours=3))


# -- the weekly digest and recap ------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ZONES)
def test_the_next_digest_is_the_first_friday_1600_on_the_managers_clock(tz: str) -> None:
    after = utc(2026, 11, 27, 3, 0)  # Friday in UTC: Thursday in Pago Pago, Friday 17:00 in Kiritimati
    instant, day = next_weekly(4, time(16, 0), tz, after)
    assert instant > after and day.weekday() == 4
    assert wall(instant, tz) == datetime.combine(day, time(16, 0))
    assert instant - timedelta(weeks=1) <= after  # and the first: a week earlier was not still to come


@pytest.mark.parametrize(
    "tz, after, expected",
    [
        ("Europe/Berlin", utc(2026, 11, 23, 6, 0), (utc(2026, 11, 27, 15, 0), date(2026, 11, 27))),
        (
            "Europe/Berlin",
            utc(2026, 11, 27, 15, 0),
            (utc(2026, 12, 4, 15, 0), date(2026, 12, 4)),
        ),  # strictly after
        ("Europe/Berlin", utc(2026, 11, 27, 14, 59), (utc(2026, 11, 27, 15, 0), date(2026, 11, 27))),
        ("Pacific/Kiritimati", utc(2026, 11, 27, 1, 0), (utc(2026, 11, 27, 2, 0), date(2026, 11, 27))),
        ("Pacific/Kiritimati", utc(2026, 11, 27, 3, 0), (utc(2026, 12, 4, 2, 0), date(2026, 12, 4))),
        ("Pacific/Pago_Pago", utc(2026, 11, 28, 2, 0), (utc(2026, 11, 28, 3, 0), date(2026, 11, 27))),
    ],
)
def test_next_weekly_by_hand(tz: str, after: datetime, expected: tuple[datetime, date]) -> None:
    assert next_weekly(4, time(16, 0), tz, after) == expected


@pytest.mark.parametrize("tz, day, at, expected, why", DST_CASES, ids=[f"{c[0]}-{c[1]}" for c in DST_CASES])
def test_a_weekly_time_in_a_dst_gap_or_overlap_follows_the_prompts_rule(
    tz: str, day: date, at: time, expected: datetime, why: str
) -> None:
    assert next_weekly(day.weekday(), at, tz, expected - timedelta(days=3)) == (expected, day), why
    instant, following = next_weekly(day.weekday(), at, tz, expected)  # once, and then a week later
    assert following == day + timedelta(days=7)
    assert wall(instant, tz) == datetime.combine(following, at)


def test_the_recap_is_an_hour_before_the_digest_and_names_the_digests_date() -> None:
    digest = (utc(2026, 11, 27, 2, 0), date(2026, 11, 27))  # Friday 16:00 in Kiritimati
    assert timedelta(hours=1) == RECAP_LEAD
    assert next_recap(4, time(16, 0), "Pacific/Kiritimati", utc(2026, 11, 26, 0, 0)) == (
        digest[0] - RECAP_LEAD,
        digest[1],
    )
    # Between the recap and the digest, the next recap is next week's: this week's has gone.
    later = next_recap(4, time(16, 0), "Pacific/Kiritimati", utc(2026, 11, 27, 1, 30))
    assert later == (utc(2026, 12, 4, 1, 0), date(2026, 12, 4))


# -- `days tue,wed,thu` --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tue,wed,thu", {1, 2, 3}),
        ("Mon Fri", {0, 4}),
        ("monday, TUESDAY", {0, 1}),
        ("thurs,sat,sun", {3, 5, 6}),
        ("wed,wed", {2}),
        ("none", set()),
        ("NONE", set()),
    ],
)
def test_weekday_names_and_their_short_forms_are_read(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["", "tu", "t,w", "funday", "mon,someday", "none,mon", "1,2"])
def test_anything_that_is_not_a_weekday_is_refused(text: str) -> None:
    assert parse_weekdays(text) is None
