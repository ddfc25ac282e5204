"""The queries behind the digest's figures, on SQLite and PostgreSQL: logged wins apart from ticked plan
items, logged metric values per day, skipped days (docs/DIGEST.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from rules.calendar import DateRange
from rules.digest import DigestInputs, Report, build_digest
from storage.digest import metric_tallies, skipped_days, win_tallies, window_wins
from storage.members import MemberRef, save_member
from storage.models import Member, Plan
from storage.windows import Window
from tests.support import save_win

MON = date(2026, 11, 16)
TUE, WED, THU, FRI = (MON + timedelta(days=d) for d in range(1, 5))
WEEK = DateRange(MON, MON + timedelta(days=6))
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PENDING = Window(None, None, NOW, NOW - timedelta(days=60))  # what a digest built now would show


@pytest.fixture
def ana(sessions: sessionmaker[Session]) -> MemberRef:
    with sessions.begin() as session:
        saved = save_member(session, "T1", "UA", tz="UTC", display_name="ana", now=NOW - timedelta(days=60))
        session.get(Member, saved.id).remote_days = 0b01110  # Tue, Wed, Thu
    return saved


_refs = iter(range(1, 10_000))


def log(
    sessions: sessionmaker[Session], who: MemberRef, day: date, source: str = "command", **kw: object
) -> None:
    """A win from `source`, each with its own `source_ref` (so none is taken for a request sent again)."""
    save_win(
        sessions, who, f"{source} {day}", day, at=NOW, source=source, source_ref=f"ref-{next(_refs)}", **kw
    )


def plan(sessions: sessionmaker[Session], who: MemberRef, day: date, status: str) -> None:
    with sessions.begin() as session:
        session.add(
            Plan(
                member_id=who.id,
                local_date=day,
                status=status,
                items=["a"],
                done=[],
                created_at=NOW,
                updated_at=NOW,
            )
        )


def test_ticked_plan_items_are_counted_but_not_as_logged_wins(
    sessions: sessionmaker[Session], ana: MemberRef
) -> None:
    log(sessions, ana, TUE, "command", day_kind="remote")
    log(sessions, ana, TUE, "modal", day_kind="remote")
    log(sessions, ana, TUE, "shortcut", day_kind="office")
    log(sessions, ana, TUE, "summary", day_kind="remote")
    log(sessions, ana, TUE, "summary", day_kind="remote")
    log(sessions, ana, TUE, "command", day_kind="remote", private=True)
    log(sessions, ana, WED, "summary", day_kind="remote")
    with sessions() as session:
        tallies = sorted(win_tallies(session, [ana.id], WEEK))
        shown = window_wins(session, PENDING, [ana.id])
    # (member, day, visible wins, logged tagged remote, logged tagged office, logged)
    assert tallies == [(ana.id, TUE, 5, 2, 1, 3), (ana.id, WED, 1, 0, 0, 0)]
    assert sorted((w.local_date, w.source, w.logged) for w in shown) == [
        (TUE, "command", True),
        (TUE, "modal", True),
        (TUE, "shortcut", True),
        (TUE, "summary", False),
        (TUE, "summary", False),
        (WED, "summary", False),
    ]
    assert not any(w.private for w in shown)


def test_metric_tallies_are_the_logged_values_per_day_and_name(
    sessions: sessionmaker[Session], ana: MemberRef
) -> None:
    log(sessions, ana, TUE, metric_name="tickets", metric_value=2)
    log(sessions, ana, TUE, metric_name="tickets", metric_value=3.5)
    log(sessions, ana, TUE, metric_name="Tickets", metric_value=1)
    log(sessions, ana, TUE, "summary", metric_name="tickets", metric_value=100)  # never a logged value
    log(sessions, ana, TUE, private=True, metric_name="tickets", metric_value=100)
    log(sessions, ana, WED, metric_name="uptime %", metric_value=99.5)
    log(sessions, ana, THU)  # no metric: no row, so no 0 for that day
    with sessions() as session:
        rows = sorted(metric_tallies(session, [ana.id], WEEK))
    assert rows == [
        (ana.id, TUE, "Tickets", 1, 1.0),
        (ana.id, TUE, "tickets", 2, 5.5),
        (ana.id, WED, "uptime %", 1, 99.5),
    ]


def test_skipped_days_of_the_members_in_the_range(sessions: sessionmaker[Session], ana: MemberRef) -> None:
    with sessions.begin() as session:
        bo = save_member(session, "T1", "UB", tz="UTC", display_name="bo", now=NOW)
    plan(sessions, ana, TUE, "skipped")
    plan(sessions, ana, WED, "posted")
    plan(sessions, ana, THU, "summarized")
    plan(sessions, ana, MON - timedelta(days=1), "skipped")  # outside the range
    plan(sessions, bo, TUE, "skipped")
    with sessions() as session:
        assert skipped_days(session, [ana.id], WEEK) == {ana.id: frozenset({TUE})}
        assert skipped_days(session, [ana.id, bo.id], WEEK) == {
            ana.id: frozenset({TUE}),
            bo.id: frozenset({TUE}),
        }
        assert skipped_days(session, [], WEEK) == {}


def test_the_comparison_from_the_database_counts_logged_wins_only(
    sessions: sessionmaker[Session], ana: MemberRef
) -> None:
    """The rows as the queries return them, through the rules: ticked items and skipped days drop out."""
    for day in (TUE, WED):
        log(sessions, ana, day, day_kind="remote", metric_name="tickets", metric_value=4)
        log(sessions, ana, day, "summary", day_kind="remote")
    log(sessions, ana, THU, day_kind="remote")  # a day whose plan was skipped: on neither side
    plan(sessions, ana, THU, "skipped")
    log(sessions, ana, FRI, "modal", day_kind="office")
    period = DateRange(MON, MON + timedelta(days=6))
    with sessions() as session:
        ids = [ana.id]
        inputs = DigestInputs(
            "T1",
            "UM",
            "UTC",
            "2026-W47",
            [Report(ana.id, "UA", "ana", "UTC", frozenset({1, 2, 3}), MON)],
            window_wins(session, PENDING, ids),
            win_tallies(session, ids, period),
            [],
            metrics=metric_tallies(session, ids, period),
            skipped=skipped_days(session, ids, period),
            now=NOW,
        )
    (week,) = build_digest(inputs).reports
    comparison = week.comparison
    assert (comparison.remote_days, comparison.remote_wins) == (2, 2)
    assert (comparison.office_days, comparison.office_wins) == (2, 1)  # Monday and Friday
    (tickets,) = comparison.metrics
    assert (tickets.remote, tickets.remote_days, tickets.office, tickets.office_days) == (4.0, 2, None, 0)
    assert (week.win_count, week.plan_wins) == (6, 2)
