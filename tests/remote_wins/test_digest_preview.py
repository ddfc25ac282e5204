"""`remote-wins digest preview`, run as the operator runs it: a subprocess against a migrated SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from rules.calendar import utc_now
from rules.digest import iso_week
from rules.wins import WinDraft
from storage.db import create_db_engine, session_factory
from storage.members import MemberRef, save_member
from storage.models import Member
from storage.schema import upgrade
from storage.wins import add_win

WEEK = "2026-W48"
TUE = date(2026, 11, 24)
JOINED = datetime(2026, 9, 1, tzinfo=UTC)
AT = "2026-11-27T15:00:00Z"  # the digest is built on Friday at 16:00 in Berlin
SAVED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def preview(*args: str, url: str, cwd: Path) -> Run:
    """`remote-wins digest preview ARGS` with only DATABASE_URL set: no Slack token is needed."""
    env = {k: os.environ[k] for k in ("PATH", "SYSTEMROOT", "TMPDIR") if k in os.environ}
    env |= {"HOME": str(cwd), "PYTHONIOENCODING": "utf-8", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "remote_wins.cli", "digest", "preview", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_error_line(run: Run, *needles: str) -> None:
    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("remote-wins: ")
    for needle in needles:
        assert needle in line


class Team:
    """A migrated SQLite file, filled through the storage layer the bot uses."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        upgrade(self.url)
        self.engine = create_db_engine(self.url)
        self.sessions = session_factory(self.engine)

    def member(self, user: str, name: str, workspace: str = "T1", **settings: object) -> MemberRef:
        with self.sessions.begin() as session:
            saved = save_member(session, workspace, user, tz="UTC", display_name=name, now=JOINED)
            row = session.get(Member, saved.id)
            for key, value in {"remote_days": 0b01110, **settings}.items():
                setattr(row, key, value)
        return saved

    def win(self, who: MemberRef, day: date, text: str, at: datetime = SAVED, **kw: object) -> None:
        with self.sessions.begin() as session:
            draft = WinDraft(text, day, day_kind="remote", **kw)
            add_win(session, who, draft, source="command", source_ref=None, now=at)


@pytest.fixture
def team(tmp_path: Path) -> Team:
    team = Team(tmp_path / "remote-wins.db")
    team.member("UM", "Maria", tz_override="Europe/Berlin")
    ana = team.member("UA", "Ana", manager_user_id="UM")
    team.member("UB", "Bo", manager_user_id="UM")
    team.win(ana, TUE, "shipped the <Q3> report & deck", category="shipped")
    team.win(ana, TUE, "my private note", private=True)
    yield team
    team.engine.dispose()


def test_preview_prints_the_digest_as_text(team: Team, tmp_path: Path) -> None:
    run = preview("--manager", "UM", "--week", WEEK, "--at", AT, url=team.url, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Remote day wins · 20 Nov – 27 Nov 2026 (week 2026-W48) for UM\n")
    assert "2 reports · 6 remote days · 1 win" in run.stdout
    assert "shipped the <Q3> report & deck" in run.stdout  # plain text: as typed
    assert "my private note" not in run.stdout
    assert "Nothing logged this week: Bo." in run.stdout
    assert "Europe/Berlin" in run.stdout


def test_preview_json_prints_every_messages_blocks(team: Team, tmp_path: Path) -> None:
    run = preview("--manager", "UM", "--week", "2026-w48", "--json", "--at", AT, url=team.url, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    messages = json.loads(run.stdout)
    assert len(messages) == 1 and 0 < len(messages[0]["blocks"]) <= 50
    actions = [e for b in messages[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"action_id": "digest_ack", "value": WEEK}.items() <= actions[0].items()
    assert "shipped the &lt;Q3&gt; report &amp; deck" in run.stdout
    assert "my private note" not in run.stdout


def test_the_default_week_is_the_managers_current_one(team: Team, tmp_path: Path) -> None:
    today = utc_now().date()
    ana = team.member("UA", "Ana", manager_user_id="UM")
    team.win(ana, today, "logged today", at=utc_now())
    run = preview("--manager", "UM", url=team.url, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    if utc_now().date() == today:  # not run across midnight
        assert f"(week {iso_week(today)})" in run.stdout
        assert "logged today" in run.stdout


def test_a_manager_nobody_names_gets_one_clear_line(team: Team, tmp_path: Path) -> None:
    run = preview("--manager", "UZ", "--week", WEEK, url=team.url, cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout == "No digest: no member names UZ as their manager.\n"


def test_a_manager_whose_reports_all_paused_sharing_gets_one_clear_line(team: Team, tmp_path: Path) -> None:
    team.member("UC", "Cy", manager_user_id="UQ", sharing_paused=True)
    run = preview("--manager", "UQ", "--week", WEEK, url=team.url, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "No reports share their week with UQ: no digest for 2026-W48.\n"


@pytest.mark.parametrize("week", ["2026-48", "2027-W53", "next"])
def test_a_malformed_week_is_one_line_and_exit_2(team: Team, tmp_path: Path, week: str) -> None:
    run = preview("--manager", "UM", "--week", week, url=team.url, cwd=tmp_path)
    assert_one_error_line(run, "--week")


def test_a_manager_in_two_workspaces_must_say_which(team: Team, tmp_path: Path) -> None:
    elsewhere = team.member("UA", "Ana in T2", workspace="T2", manager_user_id="UM")
    team.win(elsewhere, TUE + timedelta(days=1), "won in the other workspace")
    run = preview("--manager", "UM", "--week", WEEK, url=team.url, cwd=tmp_path)
    assert_one_error_line(run, "2 workspaces", "T1, T2", "--workspace")
    chosen = preview(
        "--manager", "UM", "--week", WEEK, "--workspace", "T2", "--at", AT, url=team.url, cwd=tmp_path
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "won in the other workspace" in chosen.stdout and "Q3" not in chosen.stdout


def test_an_unmigrated_database_is_one_line_naming_db_upgrade(tmp_path: Path) -> None:
    run = preview("--manager", "UM", url=f"sqlite:///{tmp_path}/none.db", cwd=tmp_path)
    assert_one_error_line(run, "remote-wins db upgrade")
    assert not (tmp_path / "none.db").exists()
