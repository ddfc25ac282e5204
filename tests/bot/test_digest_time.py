"""`/remote-win digest-time`: a manager sets the day and time of their weekly digest, in their own zone,
and their reports' recaps move with it. Through signed HTTP requests, with the clock passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.services import Services
from rules.commands import ShowHelp, parse_command
from rules.schedule import DueSlot
from rules.settings import DigestTime, SetDigestTime, ShowDigestTime
from tests.bot.test_settings import MONDAY_NOON_BERLIN, at, member, said, slots
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests


def weekly(services: Services, user: str) -> dict[str, DueSlot]:
    return {slot.kind: slot for slot in slots(services, user) if slot.kind in ("digest", "recap")}


# -- the grammar -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("digest-time", ShowDigestTime()),
        ("digest-time fri 16:00", SetDigestTime(DigestTime(4, time(16, 0)))),
        ("Digest-Time Monday 9:30", SetDigestTime(DigestTime(0, time(9, 30)))),
        ("digest-time thu 8", SetDigestTime(DigestTime(3, time(8, 0)))),
    ],
)
def test_digest_time_is_read(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text", ["digest-time fri", "digest-time 16:00", "digest-time fri,mon 16:00", "digest-time fri 25:00"]
)
def test_a_digest_time_that_does_not_fit_gets_the_help(text: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, ShowHelp) and parsed.echo == text
    assert parsed.problem is not None and "digest-time fri 16:00" in parsed.problem


# -- over HTTP ---------------------------------------------------------------------------------------------


def test_digest_time_alone_says_when_and_that_nobody_reports_yet(
    slack: SlackRequests, services: Services
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    shown = said(slack, "digest-time")
    assert "Your weekly digest comes on Fridays at 16:00 (Europe/Berlin)" in shown
    assert "an hour before it" in shown
    assert "Nobody names you as their manager yet" in shown


def test_digest_time_moves_the_managers_digest_and_the_reports_recaps(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    fake_slack.add_user("U2", tz="America/New_York", name="bo")
    said(slack, "digest-time")  # ana (U1, Berlin) is known to the bot
    said(slack, "manager <@U1|ana>", user="U2")
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    assert weekly(services, "U1")["digest"].due_at == friday
    assert weekly(services, "U2")["recap"].due_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    shown = said(slack, "digest-time")
    assert "Next digest: Fri 27 Nov at 16:00 (Europe/Berlin)" in shown

    shown = said(slack, "digest-time tue 09:30")
    stored = member(services)
    assert (stored.digest_weekday, stored.digest_minute) == (1, 9 * 60 + 30)
    tuesday = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
    assert (weekly(services, "U1")["digest"].due_at, weekly(services, "U1")["digest"].local_date) == (
        tuesday,
        date(2026, 11, 24),
    )
    # 09:30 Berlin is 03:30 in New York, before bo's day: the recap comes at the end of his Monday, 18:00.
    assert weekly(services, "U2")["recap"].due_at == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert "Your weekly digest now comes on Tuesdays at 09:30 (Europe/Berlin)" in shown
    assert "Next digest: tomorrow (Tue 24 Nov) at 09:30 (Europe/Berlin)" in shown


def test_a_bad_digest_time_changes_nothing(slack: SlackRequests, services: Services) -> None:
    shown = said(slack, "digest-time someday 16:00")
    assert "`digest-time` takes one weekday" in shown and "You typed: digest-time someday 16:00" in shown
    assert "/remote-win digest-time fri 16:00" in shown  # the help lists it


def test_a_newly_named_manager_is_scheduled_in_their_slack_zone(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    fake_slack.add_user("U3", tz="Asia/Tokyo", name="cy")
    said(slack, "manager <@U3|cy>")
    assert member(services, "U3").tz == "Asia/Tokyo"  # asked Slack before scheduling, not UTC
    assert weekly(services, "U3")["digest"].due_at == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    # 16:00 in Tokyo is 08:00 in Berlin, before U1's day: the recap comes at the end of their Thursday.
    assert weekly(services, "U1")["recap"].due_at == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    shown = said(slack, "settings show")
    assert "recap" not in shown  # `settings show` is about the member's prompts
