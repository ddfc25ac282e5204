"""The clock and working time: recaps come within each report's own working hours and at least an hour
before their manager's digest, week after week across zones and DST changes; a public holiday of the
member's calendar (their own, or the workspace's) gets no prompt.

The clock is passed in; expected instants are checked with plain zoneinfo, never with the rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.services import Services
from jobs.tick import run_tick
from rules.holidays import HolidayCalendar
from rules.schedule import RECAP_LEAD, DueSlot
from storage.models import Member, PromptSlot
from storage.schedules import advance_slot, holidays_of, reschedule
from storage.settings import set_day_kinds, set_workspace_holidays
from tests import support
from tests.fake_slack import FakeSlack

TEAM = "T0001"  # the fake Slack's team
JOINED = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


add_member = partial(support.add_member, team=TEAM, joined=JOINED)


def slot(services: Services, member_id: int, kind: str) -> DueSlot | None:
    with services.sessions() as session:
        row = session.execute(
            select(PromptSlot.member_id, PromptSlot.kind, PromptSlot.due_at, PromptSlot.local_date).where(
                PromptSlot.member_id == member_id, PromptSlot.kind == kind
            )
        ).first()
    return None if row is None else DueSlot(*row)


def walk(services: Services, member_id: int, kind: str, weeks: int) -> list[DueSlot]:
    """The slot's next `weeks` occurrences, advancing it as the tick does."""
    seen = []
    for _ in range(weeks):
        current = slot(services, member_id, kind)
        assert current is not None
        seen.append(current)
        with services.sessions.begin() as session:
            assert advance_slot(session, current)
    return seen


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


# -- recaps ------------------------------------------------------------------------------------------------

REPORT_ZONES = (
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Los_Angeles",
)


def test_recaps_stay_in_each_reports_working_hours_for_weeks_across_dst(
    services: Services, fake_slack: FakeSlack
) -> None:
    """Manager in New York, digest Friday 16:00; ten weeks from February, over New York's change (8 March)
    and Berlin's (29 March)."""
    start = datetime(2026, 2, 16, 12, 0, tzinfo=UTC)
    manager = add_member(services, "UM", slack=fake_slack, tz="America/New_York", slots_at=start)
    reports = {
        tz: add_member(services, f"U{n}", slack=fake_slack, tz=tz, slots_at=start, manager_user_id="UM")
        for n, tz in enumerate(REPORT_ZONES)
    }
    digests = walk(services, manager.id, "digest", 10)
    for digest in digests:
        wall = local(digest.due_at, "America/New_York")
        assert (wall.weekday(), wall.time()) == (4, time(16, 0))
    by_date = {d.local_date: d.due_at for d in digests}
    for tz, ref in reports.items():
        for recap in walk(services, ref.id, "recap", 10):
            digest_at = by_date[recap.local_date]  # the recap names the digest's week
            wall = local(recap.due_at, tz)
            assert wall.weekday() < 5, (tz, wall)
            assert time(9, 0) <= wall.time() <= time(18, 0), (tz, wall)
            assert timedelta(0) < digest_at - recap.due_at, (tz, wall)
            assert digest_at - recap.due_at >= RECAP_LEAD, (tz, wall)
            assert digest_at - recap.due_at < timedelta(days=7), (tz, wall)


def test_a_kolkata_recap_is_sent_at_the_end_of_their_friday_not_at_their_night(
    services: Services, fake_slack: FakeSlack
) -> None:
    setup = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    add_member(services, "UM", slack=fake_slack, tz="America/New_York", slots_at=setup)
    ana = add_member(
        services, "UA", slack=fake_slack, tz="Asia/Kolkata", slots_at=setup, manager_user_id="UM"
    )
    end_of_friday = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)  # 18:00 in Kolkata
    assert slot(services, ana.id, "recap") == DueSlot(ana.id, "recap", end_of_friday, date(2026, 11, 27))
    before = run_tick(services, end_of_friday - timedelta(minutes=15), kinds={"digest"})
    assert before.sent == 0
    report = run_tick(services, end_of_friday, kinds={"digest"})
    assert [(i.user_id, i.kind, i.period, i.outcome) for i in report.items] == [
        ("UA", "recap", "2026-W48", "sent")
    ]
    old_time = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # an hour before the digest: 01:30 in Kolkata
    assert [i.kind for i in run_tick(services, old_time, kinds={"digest"}).items] == []


def test_a_report_who_changes_their_hours_moves_their_recap(
    services: Services, fake_slack: FakeSlack
) -> None:
    setup = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    add_member(services, "UM", slack=fake_slack, tz="America/New_York", slots_at=setup)
    ana = add_member(
        services, "UA", slack=fake_slack, tz="Asia/Kolkata", slots_at=setup, manager_user_id="UM"
    )
    with services.sessions.begin() as session:
        row = session.get(Member, ana.id)
        assert row is not None
        row.work_end_minute = 22 * 60  # until 22:00 in Kolkata
        reschedule(session, ana.id, setup)
    assert slot(services, ana.id, "recap").due_at == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)


# -- public holidays ---------------------------------------------------------------------------------------

BAVARIA = HolidayCalendar("DE", "BY")
MONDAY_5_JAN = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # 07:00 in Munich; Tuesday 6 January is Epiphany


def prompts_sent(services: Services, first: datetime, last: datetime) -> list[tuple[str, str, str]]:
    """Tick every 15 minutes from `first` to `last`; the prompts sent, as (user, kind, day)."""
    sent = []
    now = first
    while now <= last:
        report = run_tick(services, now, kinds={"morning", "eod"})
        sent += [(i.user_id, i.kind, i.period) for i in report.items if i.outcome == "sent"]
        now += timedelta(minutes=15)
    return sent


def test_no_prompt_on_a_public_holiday_of_the_members_or_the_workspaces_calendar(
    services: Services, fake_slack: FakeSlack
) -> None:
    every_weekday = 0b11111
    own = add_member(
        services,
        "UA",
        slack=fake_slack,
        tz="Europe/Berlin",
        slots_at=MONDAY_5_JAN,
        remote_days=every_weekday,
        holiday_country="DE",
        holiday_region="BY",
    )
    follower = add_member(
        services, "UB", slack=fake_slack, tz="Europe/Berlin", slots_at=MONDAY_5_JAN, remote_days=every_weekday
    )
    opted_out = add_member(
        services,
        "UC",
        slack=fake_slack,
        tz="Europe/Berlin",
        slots_at=MONDAY_5_JAN,
        remote_days=every_weekday,
        holiday_country="none",
    )
    with services.sessions.begin() as session:
        assert set_workspace_holidays(session, TEAM, BAVARIA, MONDAY_5_JAN) == 1  # UB follows it
    sent = prompts_sent(services, MONDAY_5_JAN, datetime(2026, 1, 7, 17, 0, tzinfo=UTC))
    days = {user: sorted({day for u, _, day in sent if u == user}) for user in ("UA", "UB", "UC")}
    assert days["UA"] == days["UB"] == ["2026-01-05", "2026-01-07"]
    assert days["UC"] == ["2026-01-05", "2026-01-06", "2026-01-07"]
    with services.sessions() as session:
        for ref, expected in ((own, 2), (follower, 2), (opted_out, 0)):
            found = holidays_of(session, session.get(Member, ref.id), date(2026, 1, 1), date(2026, 1, 10))
            assert list(found) == [date(2026, 1, 1), date(2026, 1, 6)][:expected], ref.user_id


def test_a_slot_due_on_a_holiday_is_skipped_by_the_tick(services: Services, fake_slack: FakeSlack) -> None:
    ana = add_member(
        services, "UA", slack=fake_slack, tz="Europe/Berlin", slots_at=MONDAY_5_JAN, remote_days=0b11111
    )
    epiphany_morning = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # 09:00 in Munich
    with services.sessions.begin() as session:  # a calendar chosen behind the slots' back
        row = session.get(Member, ana.id)
        assert row is not None
        row.holiday_country, row.holiday_region = "DE", "BY"
        session.execute(
            update(PromptSlot)
            .filter_by(member_id=ana.id, kind="morning")
            .values(due_at=epiphany_morning, local_date=date(2026, 1, 6))
        )
    report = run_tick(services, epiphany_morning, kinds={"morning"})
    assert [(i.kind, i.period, i.outcome) for i in report.items] == [("morning", "2026-01-06", "skipped")]
    assert slot(services, ana.id, "morning").local_date == date(2026, 1, 7)  # and on to the next day


def test_a_member_who_marks_a_holiday_remote_gets_prompts(services: Services, fake_slack: FakeSlack) -> None:
    ana = add_member(
        services,
        "UA",
        slack=fake_slack,
        tz="Europe/Berlin",
        slots_at=MONDAY_5_JAN,
        remote_days=0b11111,
        holiday_country="DE",
        holiday_region="BY",
    )
    with services.sessions.begin() as session:
        set_day_kinds(session, ana.id, date(2026, 1, 6), date(2026, 1, 6), "remote", MONDAY_5_JAN)
    first, last = datetime(2026, 1, 6, 7, 0, tzinfo=UTC), datetime(2026, 1, 6, 16, 0, tzinfo=UTC)
    assert prompts_sent(services, first, last) == [
        ("UA", "morning", "2026-01-06"),
        ("UA", "eod", "2026-01-06"),
    ]
