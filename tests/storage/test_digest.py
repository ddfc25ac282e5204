"""The digest's queries on both backends: the right reports, their visible wins, plans and overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from rules.calendar import DateRange
from rules.digest import chart_range
from storage.db import create_db_engine, session_factory
from storage.digest import (
    acknowledge,
    acknowledged_at,
    digest_inputs,
    find_manager,
    load_digest,
    manager_workspaces,
    reports_of,
)
from storage.members import MemberRef, save_member
from storage.models import DayOverride, Member, Plan
from tests.support import save_win

WEEK = "2026-W48"
MON = date(2026, 11, 23)
TUE = MON + timedelta(days=1)
JOINED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def member(
    sessions: sessionmaker[Session], user: str, workspace: str = "T1", tz: str = "UTC", **settings: object
) -> MemberRef:
    """A member as the bot saves them, then with settings changed as the settings commands would."""
    with sessions.begin() as session:
        saved = save_member(session, workspace, user, tz=tz, display_name=user.lower(), now=JOINED)
        row = session.get(Member, saved.id)
        for name, value in {"remote_days": 0b01110, **settings}.items():  # Tue, Wed, Thu remote
            setattr(row, name, value)
    return saved


log = partial(save_win, at=NOW)


@pytest.fixture
def team(sessions: sessionmaker[Session]) -> dict[str, MemberRef]:
    """UM manages ana and bo in T1; others name UM elsewhere, pause sharing, are gone, or report to UX."""
    return {
        "manager": member(sessions, "UM", tz="Europe/Berlin"),
        "ana": member(sessions, "UA", manager_user_id="UM"),
        "bo": member(sessions, "UB", manager_user_id="UM", tz_override="Asia/Kathmandu"),
        "paused": member(sessions, "UP", manager_user_id="UM", sharing_paused=True),
        "gone": member(sessions, "UG", manager_user_id="UM", deactivated=True),
        "other_team": member(sessions, "UO", manager_user_id="UX"),
        "other_workspace": member(sessions, "UW", workspace="T2", manager_user_id="UM"),
    }


def test_new_members_get_the_digest_defaults(sessions: sessionmaker[Session], team: dict) -> None:
    with sessions() as session:
        row = session.get(Member, team["ana"].id)
    assert (row.digest_weekday, row.digest_minute, row.sharing_paused) == (4, 16 * 60, False)


def test_reports_are_the_members_who_name_the_manager_and_share(
    sessions: sessionmaker[Session], team: dict
) -> None:
    with sessions() as session:
        reports = reports_of(session, "T1", "UM")
    assert sorted(r.user_id for r in reports) == ["UA", "UB"]
    bo = next(r for r in reports if r.user_id == "UB")
    assert bo.tz == "Asia/Kathmandu"  # the member's override wins over Slack's zone
    assert bo.remote_weekdays == frozenset({1, 2, 3})
    assert bo.tracked_since == date(2026, 9, 1)


def test_the_manager_is_found_with_their_zone_or_utc_when_unknown(
    sessions: sessionmaker[Session], team: dict
) -> None:
    with sessions() as session:
        assert find_manager(session, "T1", "UM").tz == "Europe/Berlin"
        stranger = find_manager(session, "T1", "UX")
        assert manager_workspaces(session, "UM") == ["T1", "T2"]
    assert (stranger.tz, stranger.member_id) == ("UTC", None)


def test_the_windows_shared_wins_of_the_reports_only(sessions: sessionmaker[Session], team: dict) -> None:
    """A first digest covers what was saved in the past 7 days, by the instant it is built."""
    log(sessions, team["ana"], "ana tuesday", TUE, day_kind="remote", metric_name="tickets", metric_value=3)
    log(sessions, team["ana"], "ana private", TUE, day_kind="remote", private=True)
    log(sessions, team["ana"], "saved too long ago", MON - timedelta(days=1), at=NOW - timedelta(days=8))
    log(sessions, team["ana"], "saved after the build", TUE, at=NOW + timedelta(seconds=1))
    log(sessions, team["bo"], "bo sunday", MON + timedelta(days=6), day_kind="office")
    for who in ("paused", "gone", "other_team", "other_workspace", "manager"):
        log(sessions, team[who], f"{who} tuesday", TUE)
    with sessions() as session:
        inputs = digest_inputs(session, "T1", "UM", WEEK, now=NOW)
    assert sorted(w.text for w in inputs.wins) == ["ana tuesday", "bo sunday"]
    ana_win = next(w for w in inputs.wins if w.text == "ana tuesday")
    assert (ana_win.metric_name, ana_win.metric_value, ana_win.day_kind) == ("tickets", 3.0, "remote")
    assert inputs.manager_tz == "Europe/Berlin"


def test_the_chart_weeks_come_as_tallies_without_private_wins(
    sessions: sessionmaker[Session], team: dict
) -> None:
    earlier = MON - timedelta(days=6)  # the Tuesday before
    for text, kw in [
        ("a", {"day_kind": "remote", "metric_name": "tickets", "metric_value": 2}),
        ("b", {"day_kind": "remote", "metric_name": "tickets", "metric_value": 5}),
        ("c", {"day_kind": "office", "metric_name": "Tickets", "metric_value": 1}),
        ("d", {"day_kind": "unknown"}),
        ("e", {"day_kind": "remote", "private": True, "metric_name": "tickets", "metric_value": 100}),
    ]:
        log(sessions, team["ana"], text, earlier, **kw)
    span = DateRange(date(2026, 11, 20), NOW.date())  # a first digest built at NOW: the past 7 days
    log(sessions, team["ana"], "too old", chart_range(span).first - timedelta(days=1))
    log(sessions, team["ana"], "this week", TUE, day_kind="office", metric_name="tickets", metric_value=9)
    with sessions() as session:
        inputs = digest_inputs(session, "T1", "UM", WEEK, now=NOW)
    ana = team["ana"].id
    # (member, day, visible wins, logged ones tagged remote, tagged office, logged ones)
    assert sorted(inputs.tallies) == [(ana, earlier, 4, 2, 1, 4), (ana, TUE, 1, 0, 1, 1)]
    # Metrics for the days a comparison may cover, summed per name as typed (the rules merge the spellings).
    assert sorted(inputs.metrics) == [
        (ana, earlier, "Tickets", 1, 1.0),
        (ana, earlier, "tickets", 2, 7.0),
        (ana, TUE, "tickets", 1, 9.0),
    ]


def test_plans_and_overrides_of_the_reports(sessions: sessionmaker[Session], team: dict) -> None:
    with sessions.begin() as session:
        for who, day, status in [
            ("ana", TUE, "summarized"),
            ("bo", TUE, "posted"),
            ("other_team", TUE, "posted"),
        ]:
            session.add(
                Plan(
                    member_id=team[who].id,
                    local_date=day,
                    status=status,
                    items=["write", "review", "ship"],
                    done=[0, 2, 7] if status == "summarized" else [],  # 7 is not an item: ignored
                    blockers="got <prod> access" if who == "ana" else None,
                    signed_off="17:30" if who == "ana" else None,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.add(DayOverride(member_id=team["ana"].id, local_date=TUE, kind="off"))
        session.add(DayOverride(member_id=team["ana"].id, local_date=MON - timedelta(days=100), kind="off"))
        session.add(DayOverride(member_id=team["other_team"].id, local_date=TUE, kind="off"))
    with sessions() as session:
        inputs = digest_inputs(session, "T1", "UM", WEEK, now=NOW)
    plans = {(p.member_id, p.status): (p.planned, p.done, p.signed_off) for p in inputs.plans}
    assert plans == {
        (team["ana"].id, "summarized"): (3, 2, "17:30"),
        (team["bo"].id, "posted"): (3, 0, None),
    }
    assert inputs.overrides == {team["ana"].id: {TUE: "off"}}


def test_a_whole_digest_from_the_database(sessions: sessionmaker[Session], team: dict) -> None:
    log(sessions, team["ana"], "shipped the report", TUE, day_kind="remote")
    log(sessions, team["bo"], "only mine", TUE, private=True)
    with sessions() as session:
        digest = load_digest(session, "T1", "UM", WEEK, now=NOW)
    assert digest.period == DateRange(date(2026, 11, 20), date(2026, 11, 27))  # a first digest: 7 days
    assert [r.report.user_id for r in digest.active] == ["UA"]
    assert [r.report.user_id for r in digest.quiet] == ["UB"]
    assert digest.team.wins == 1


def test_the_queries_do_not_grow_with_the_team(sessions: sessionmaker[Session], database_url: str) -> None:
    """One query per table whatever the number of reports: the cost follows the week, not a loop."""
    member(sessions, "UM")

    def statements() -> int:
        engine = create_db_engine(database_url)
        seen: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
        with session_factory(engine)() as session:
            digest_inputs(session, "T1", "UM", WEEK, now=NOW)
        engine.dispose()
        return len(seen)

    member(sessions, "U0", manager_user_id="UM")
    few = statements()
    for i in range(1, 40):
        log(sessions, member(sessions, f"U{i}", manager_user_id="UM"), f"win {i}", TUE)
    assert statements() == few


def test_an_acknowledgement_is_recorded_once(sessions: sessionmaker[Session], team: dict) -> None:
    manager = team["manager"]
    with sessions.begin() as session:
        first = acknowledge(session, "T1", manager.id, WEEK, NOW)
    with sessions.begin() as session:
        again = acknowledge(session, "T1", manager.id, WEEK, NOW + timedelta(hours=1))
    assert first == again == NOW
    with sessions() as session:
        assert acknowledged_at(session, manager.id, "2026-W47") is None
        assert load_digest(session, "T1", "UM", WEEK, now=NOW).acknowledged_at == NOW


def test_the_message_reads_only_each_reports_first_wins_and_counts_the_rest(
    sessions: sessionmaker[Session], team: dict
) -> None:
    for n in range(15):
        log(sessions, team["ana"], f"ana {n:02d}", MON + timedelta(days=n % 7))
    log(sessions, team["bo"], "bo 00", TUE)
    with sessions() as session:
        first = digest_inputs(session, "T1", "UM", WEEK, now=NOW, shown_per_report=10)
        every = digest_inputs(session, "T1", "UM", WEEK, now=NOW, shown_per_report=None)
        digest = load_digest(session, "T1", "UM", WEEK, now=NOW, shown_per_report=10)
    ana = team["ana"].id
    loaded = [(w.local_date, w.text) for w in first.wins if w.member_id == ana]
    assert (
        len(loaded) == 10
        and loaded == sorted((w.local_date, w.text) for w in every.wins if w.member_id == ana)[:10]
    )
    assert len(every.wins) == 16 and sum(t.wins for t in first.counts) == 16
    (ana_week,) = [r for r in digest.reports if r.report.member_id == ana]
    assert (ana_week.win_count, len(ana_week.wins), ana_week.complete) == (15, 10, False)


def test_public_holidays_arrive_as_days_neither_remote_nor_office(
    sessions: sessionmaker[Session], team: dict
) -> None:
    """Thanksgiving (Thu 26 Nov 2026) for a member on the US calendar; a day they said they worked stays."""
    thanksgiving, labor_day = date(2026, 11, 26), date(2026, 9, 7)
    with sessions.begin() as session:
        session.get(Member, team["ana"].id).holiday_country = "US"
        session.add(DayOverride(member_id=team["ana"].id, local_date=labor_day, kind="remote"))
    with sessions() as session:
        inputs = digest_inputs(session, "T1", "UM", WEEK, now=NOW)
        digest = load_digest(session, "T1", "UM", WEEK, now=NOW)
    ana = inputs.overrides[team["ana"].id]
    assert ana[thanksgiving] == "holiday" and ana.get(labor_day) in (None, "remote")
    assert team["bo"].id not in inputs.overrides  # bo has no calendar
    (ana_week,) = [r for r in digest.reports if r.report.user_id == "UA"]
    assert ana_week.kinds[thanksgiving] == "holiday" and thanksgiving not in ana_week.remote_days
