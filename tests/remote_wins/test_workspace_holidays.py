"""`remote-wins workspace holidays TEAM [COUNTRY [REGION] | none]`: an operator's default holiday calendar
for the members who chose none, which moves their prompts at once; bad codes get one clear line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from remote_wins.cli import main
from storage.db import create_db_engine, session_factory
from storage.members import save_member
from storage.models import Member, PromptSlot
from storage.schedules import reschedule

JOINED = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def operator(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    return database_url


def test_a_workspace_calendar_moves_the_prompts_of_members_who_follow_it(
    operator: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monday_noon = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("rules.calendar.utc_now", lambda: monday_noon)  # the command's clock
    engine = create_db_engine(operator)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        for user, own in (("U1", None), ("U2", "none")):
            ref = save_member(session, "T1", user, tz="Europe/Berlin", display_name=user, now=JOINED)
            row = session.get(Member, ref.id)
            row.remote_days, row.holiday_country = 0b11111, own
            reschedule(session, ref.id, monday_noon)

    def morning(user: str) -> date:
        with sessions() as session:
            return session.scalar(
                select(PromptSlot.local_date)
                .join(Member, Member.id == PromptSlot.member_id)
                .where(Member.user_id == user, PromptSlot.kind == "morning")
            )

    assert morning("U1") == morning("U2") == date(2026, 1, 6)
    assert main(["workspace", "holidays", "T1", "de", "by"]) == 0
    assert "T1's public holidays are now DE (BY), for 1 members who chose none" in capsys.readouterr().out
    assert morning("U1") == date(2026, 1, 7)  # Epiphany is skipped
    assert morning("U2") == date(2026, 1, 6)  # U2 chose no holidays
    assert main(["workspace", "holidays", "T1"]) == 0
    assert capsys.readouterr().out == "T1: public holidays DE (BY)\n"
    assert main(["workspace", "holidays", "T1", "none"]) == 0
    assert morning("U1") == date(2026, 1, 6)
    engine.dispose()


@pytest.mark.parametrize(
    "args, needle, codes",
    [
        (["T1", "XX"], "“XX” isn't a country code", True),
        (["T1", "DE", "Narnia"], "DE has no region “Narnia”", True),
        (["T1", "DE", "BY", "more"], "at most one region", False),
        (["T9", "DE"], "no workspace T9", False),
    ],
)
def test_bad_calendars_and_unknown_workspaces_get_one_line(
    operator: str, capsys: pytest.CaptureFixture[str], args: list[str], needle: str, codes: bool
) -> None:
    engine = create_db_engine(operator)
    with session_factory(engine).begin() as session:
        save_member(session, "T1", "U1", tz="UTC", display_name="", now=JOINED)
    engine.dispose()
    assert main(["workspace", "holidays", *args]) == 2
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert line.startswith("remote-wins: ") and needle in line
    assert ("holidays.readthedocs.io" in line) == codes
