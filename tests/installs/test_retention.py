"""An uninstalled workspace's data is kept for DATA_RETENTION_DAYS (a reinstall finds it all), then the
clock deletes it, every row of it and nothing of any other workspace; `remote-wins workspace purge` at
once. The clock is frozen (freezegun) at the instants that matter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from bot.installs import stop_workspace
from bot.services import Services
from jobs.clock import Clock
from jobs.leader import OnlyClock
from remote_wins.cli import main
from rules.wins import WinDraft
from storage.installations import installation_store
from storage.ledger import DeliveryKey, claim
from storage.members import save_member
from storage.models import Delivery, FormOrigin, Member, Win, Workspace, bots
from storage.origins import remember
from storage.wins import add_win

UNINSTALLED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GONE, KEPT = "TGONE", "TKEPT"


def seed(services: Services, team_id: str) -> None:
    """A workspace with a member, a win, a delivery, a modal's origin and an installation."""
    now = UNINSTALLED - timedelta(days=3)
    with services.sessions.begin() as session:
        member = save_member(session, team_id, "U1", tz="Europe/Berlin", display_name="ana", now=now)
        add_win(
            session,
            member,
            WinDraft("shipped it", date(2026, 2, 27)),
            source="command",
            source_ref=None,
            now=now,
        )
        claim(
            session, DeliveryKey(team_id, member.id, "morning", "2026-02-27"), due_at=now, now=now, worker="t"
        )
        remember(session, team_id, "U1", "https://hooks.slack.com/commands/1/2", now)
    installation_store(services.engine, "1.2").save(
        Installation(
            app_id="A1",
            team_id=team_id,
            bot_token=f"xoxb-{team_id}",
            bot_id="B1",
            bot_user_id="UBOT",
            user_id="U1",
            installed_at=now.timestamp(),
        )
    )


def counts(services: Services, team_id: str) -> dict[str, int]:
    with services.sessions() as session:
        return {
            "workspaces": session.scalar(select(func.count()).where(Workspace.id == team_id)),
            "members": session.scalar(select(func.count()).where(Member.workspace_id == team_id)),
            "wins": session.scalar(select(func.count()).where(Win.workspace_id == team_id)),
            "deliveries": session.scalar(select(func.count()).where(Delivery.workspace_id == team_id)),
            "origins": session.scalar(select(func.count()).where(FormOrigin.workspace_id == team_id)),
            "tokens": session.scalar(select(func.count()).select_from(bots).where(bots.c.team_id == team_id)),
        }


EVERYTHING = {"workspaces": 1, "members": 1, "wins": 1, "deliveries": 1, "origins": 1, "tokens": 1}
NOTHING = dict.fromkeys(EVERYTHING, 0)


def test_the_clock_deletes_an_uninstalled_workspace_after_the_retention_period(services: Services) -> None:
    seed(services, GONE)
    seed(services, KEPT)
    with freeze_time(UNINSTALLED):
        stop_workspace(services, GONE, "the app was uninstalled")
    assert counts(services, GONE) == EVERYTHING | {"tokens": 0}  # stopped, tokens gone, data kept
    clock = Clock(services, OnlyClock())
    with freeze_time(UNINSTALLED + timedelta(days=30) - timedelta(minutes=1)):
        clock.tick()
    assert counts(services, GONE) == EVERYTHING | {"tokens": 0}
    with freeze_time(UNINSTALLED + timedelta(days=30)):
        stop_workspace(services, GONE, "tokens_revoked after app_uninstalled")  # doesn't restart the period
        clock.tick()
    assert counts(services, GONE) == NOTHING
    assert counts(services, KEPT) == EVERYTHING


def test_the_retention_period_is_a_setting(services: Services) -> None:
    seed(services, GONE)
    services.retention_days = 0  # DATA_RETENTION_DAYS=0: deleted at the next tick
    with freeze_time(UNINSTALLED):
        stop_workspace(services, GONE, "the app was uninstalled")
        Clock(services, OnlyClock()).tick()
    assert counts(services, GONE) == NOTHING


def test_a_workspace_purged_by_the_operator_is_gone_at_once(
    services: Services, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    seed(services, GONE)
    seed(services, KEPT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    assert main(["workspace", "purge", GONE]) == 0
    assert f"deleted workspace {GONE}" in capsys.readouterr().out
    assert counts(services, GONE) == NOTHING
    assert counts(services, KEPT) == EVERYTHING
    assert main(["workspace", "purge", GONE]) == 0  # again: nothing left, and it says so
    assert f"no data of workspace {GONE}" in capsys.readouterr().out
