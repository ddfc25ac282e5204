"""Working hours and holiday calendars: the `hours` and `holidays` words, read, stored and read back on
both backends, and shown in `settings show`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.settings import settings_lines
from rules.commands import ShowHelp, parse_command
from rules.holidays import HolidayCalendar
from rules.settings import SetHolidays, SetHours, changed, describe_hours, problems
from storage.members import save_member
from storage.models import Member, Workspace
from storage.plans import next_plan_day
from storage.schedules import holiday_calendar, working_hours
from storage.settings import save_settings, settings_of, snapshot

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)


def test_hours_words_parse() -> None:
    assert parse_command("hours 08:30-17:30") == SetHours(time(8, 30), time(17, 30))
    assert parse_command("hours 8 - 16") == SetHours(time(8), time(16))
    assert parse_command("hours 08:00 16:00 sun,mon,tue,wed,thu") == SetHours(
        time(8), time(16), frozenset({6, 0, 1, 2, 3})
    )
    for bad in ("hours", "hours 18:00-09:00", "hours 9-25", "hours 9-17 funday"):
        answer = parse_command(bad)
        assert isinstance(answer, ShowHelp) and answer.echo == bad, bad


def test_holidays_words_parse() -> None:
    assert parse_command("holidays de by") == SetHolidays(HolidayCalendar("DE", "BY"))
    assert parse_command("holidays US") == SetHolidays(HolidayCalendar("US"))
    assert parse_command("holidays none") == SetHolidays(None, none=True)
    assert parse_command("holidays auto") == SetHolidays(None)
    unknown = parse_command("holidays XX")
    assert isinstance(unknown, ShowHelp) and "holidays.readthedocs.io" in (unknown.problem or "")
    region = parse_command("holidays DE Narnia")
    assert (
        isinstance(region, ShowHelp) and "BY" in (region.problem or "") and "Narnia" in (region.problem or "")
    )


def test_hours_and_holidays_round_trip_through_storage(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ref = save_member(session, "T1", "U1", tz="Asia/Kolkata", display_name="ana", now=NOW)
        session.get(Workspace, "T1").holiday_country = "IN"
    with sessions.begin() as session:
        before = settings_of(session, ref.id)
        assert describe_hours(before) == "09:00–18:00, Mon, Tue, Wed, Thu, Fri"
        assert before.holidays == HolidayCalendar("IN")  # the workspace's, until the member picks
        wanted = changed(before, SetHours(time(8, 30), time(17, 30), frozenset({0, 1, 2, 3})))
        wanted = changed(wanted, SetHolidays(HolidayCalendar("DE", "BY")))
        assert problems(wanted, "U1") == {}
        save_settings(session, ref.id, wanted, NOW)
    with sessions() as session:
        after = settings_of(session, ref.id)
        assert after == wanted
        hours = working_hours(session, session.get(Member, ref.id), NOW)
        assert (hours.start, hours.end, hours.workdays) == (
            time(8, 30),
            time(17, 30),
            frozenset({0, 1, 2, 3}),
        )
        assert hours.holidays == HolidayCalendar("DE", "BY")
        lines = "\n".join(settings_lines(snapshot(session, ref.id, NOW)))
        assert "Working hours: 08:30–17:30, Mon, Tue, Wed, Thu" in lines
        assert "Public holidays: DE (BY), set by you" in lines
    with sessions.begin() as session:
        save_settings(
            session, ref.id, changed(settings_of(session, ref.id), SetHolidays(None, none=True)), NOW
        )
    with sessions() as session:
        assert settings_of(session, ref.id).holidays is None
        assert holiday_calendar(session, session.get(Member, ref.id)) is None  # not the workspace's either
        assert "none, by your choice" in "\n".join(settings_lines(snapshot(session, ref.id, NOW)))
    with sessions.begin() as session:
        save_settings(session, ref.id, changed(settings_of(session, ref.id), SetHolidays(None)), NOW)
    with sessions() as session:
        assert settings_of(session, ref.id).holidays == HolidayCalendar("IN")
        assert "IN, your workspace's" in "\n".join(settings_lines(snapshot(session, ref.id, NOW)))


def test_the_next_plan_day_skips_a_public_holiday(sessions: sessionmaker[Session]) -> None:
    """Items carried from Wednesday go to the next remote day that is no holiday: not Thanksgiving."""
    with sessions.begin() as session:
        ref = save_member(session, "T1", "UA", tz="America/New_York", display_name="ana", now=NOW)
        row = session.get(Member, ref.id)
        row.remote_days, row.holiday_country = 0b0001100, "US"  # Wednesday and Thursday
    with sessions() as session:
        assert next_plan_day(session, ref.id, date(2026, 11, 25)) == date(2026, 12, 2)
