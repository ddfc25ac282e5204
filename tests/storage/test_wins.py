"""Storage on both backends: idempotent saves, scoping to the member, ranges, and UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from rules.calendar import DateRange
from rules.wins import WinDraft
from storage.members import MemberRef, find_member, save_member
from storage.models import Win
from storage.wins import add_win, delete_win, last_win, update_win, wins_between

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def member(sessions: sessionmaker[Session], user: str = "U1", tz: str = "Asia/Kathmandu") -> MemberRef:
    with sessions.begin() as session:
        return save_member(session, "T1", user, tz=tz, display_name=user, now=NOW)


def test_the_same_source_ref_saves_one_win(sessions: sessionmaker[Session]) -> None:
    ana = member(sessions)
    with sessions.begin() as session:
        first = add_win(
            session, ana, WinDraft("x", date(2026, 11, 23)), source="command", source_ref="r1", now=NOW
        )
    with sessions.begin() as session:
        again = add_win(
            session, ana, WinDraft("y", date(2026, 11, 23)), source="command", source_ref="r1", now=NOW
        )
    assert again == first
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Win)) == 1


def test_saving_a_member_twice_updates_them(sessions: sessionmaker[Session]) -> None:
    first = member(sessions, tz="UTC")
    second = member(sessions, tz="Pacific/Chatham")
    assert first.id == second.id and second.tz == "Pacific/Chatham"


def test_instants_come_back_in_utc(sessions: sessionmaker[Session]) -> None:
    kathmandu = timezone(timedelta(hours=5, minutes=45))
    with sessions.begin() as session:
        save_member(session, "T1", "U5", tz="Asia/Kathmandu", display_name="", now=NOW.astimezone(kathmandu))
    with sessions() as session:
        checked = find_member(session, "T1", "U5").tz_checked_at
    assert checked == NOW and checked.utcoffset() == timedelta(0)


def test_a_naive_instant_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(sa.exc.StatementError), sessions.begin() as session:
        save_member(session, "T1", "U6", tz="UTC", display_name="", now=NOW.replace(tzinfo=None))


def test_queries_see_only_the_members_own_wins_in_the_range(sessions: sessionmaker[Session]) -> None:
    ana, bo = member(sessions, "U1"), member(sessions, "U2")
    with sessions.begin() as session:
        for day in (20, 23, 29, 30):
            add_win(
                session,
                ana,
                WinDraft(f"ana {day}", date(2026, 11, day)),
                source="modal",
                source_ref=None,
                now=NOW,
            )
        bo_win = add_win(
            session, bo, WinDraft("bo", date(2026, 11, 23)), source="modal", source_ref=None, now=NOW
        )
    week = DateRange(date(2026, 11, 23), date(2026, 11, 29))
    with sessions.begin() as session:
        assert [w.text for w in wins_between(session, ana.id, week)] == ["ana 23", "ana 29"]
        assert last_win(session, ana.id).text == "ana 30"
        assert delete_win(session, ana.id, bo_win.id) is None
        assert update_win(session, ana.id, bo_win.id, WinDraft("hijack", date(2026, 11, 23))) is None
    with sessions() as session:
        assert [w.text for w in wins_between(session, bo.id, week)] == ["bo"]


def test_the_database_refuses_an_unknown_category(sessions: sessionmaker[Session]) -> None:
    ana = member(sessions)
    bad = WinDraft("x", date(2026, 11, 23), category="bragging")
    with pytest.raises(sa.exc.IntegrityError), sessions.begin() as session:
        add_win(session, ana, bad, source="command", source_ref=None, now=NOW)


def test_text_is_stored_exactly_as_typed(sessions: sessionmaker[Session]) -> None:
    ana = member(sessions)
    typed = "  <!channel> & ünïcödé 🎉\nsecond line  "
    with sessions.begin() as session:
        saved = add_win(
            session, ana, WinDraft(typed, date(2026, 11, 23)), source="modal", source_ref=None, now=NOW
        )
    with sessions() as session:
        assert session.get(Win, saved.id).text == typed


def test_a_members_week_is_read_through_its_index(sessions: sessionmaker[Session]) -> None:
    ana = member(sessions)
    captured: list[tuple[str, object]] = []
    engine = sessions.kw["bind"]

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "FROM wins" in statement:
            captured.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    with sessions() as session:
        wins_between(session, ana.id, DateRange(date(2026, 11, 23), date(2026, 11, 29)))
    sa.event.remove(engine, "before_cursor_execute", capture)
    [(statement, parameters)] = captured
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table would be scanned anyway
        plan = connection.exec_driver_sql(
            f"EXPLAIN {'QUERY PLAN ' if engine.dialect.name == 'sqlite' else ''}" + statement, parameters
        ).all()
    assert "ix_wins_member_date" in str(plan)
