"""Single-workspace mode (SLACK_BOT_TOKEN): the token's workspace, as auth.test names it, is the only one
served. A signed request carrying another team_id is refused: nothing stored, nobody looked up with this
workspace's token."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import build_services
from bot.installs import NOT_SERVED, stop_workspace
from bot.services import Services
from bot.workspaces import NotInstalled, SingleWorkspace
from remote_wins.config import Settings
from storage.members import save_member
from storage.models import Member, Win, Workspace
from storage.workspaces import is_uninstalled
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, after_ack_done, form_values, wait_until


def rows(services: Services) -> tuple[list[str], list[tuple[str, str]], int]:
    with services.sessions() as session:
        workspaces = list(session.scalars(select(Workspace.id)))
        members = [tuple(row) for row in session.execute(select(Member.workspace_id, Member.user_id))]
        wins = len(session.scalars(select(Win.id)).all())
    return workspaces, members, wins


def test_a_foreign_team_id_is_refused_and_never_stored(
    app_url: str, slack: SlackRequests, fake_slack: FakeSlack, services: Services
) -> None:
    foreign = SlackRequests(f"{app_url}/slack/events", SIGNING_SECRET, fake_slack, team="TFOREIGN")
    fake_slack.clear()
    reply = foreign.command("shipped the Q3 report")
    assert reply.status == 200 and reply.body.decode() == NOT_SERVED
    assert foreign.command("").status == 200  # the form: no views.open either
    assert foreign.event({"type": "app_home_opened", "user": "U1", "tab": "home"}).status == 200
    assert (
        foreign.event(
            {"type": "message", "channel_type": "im", "user": "U1", "text": "hi", "ts": "1.2"}
        ).status
        == 200
    )
    assert foreign.action("win_undo", "1").status == 200
    assert foreign.submit_view({}, form_values("a win")).status == 200
    after_ack_done(services)  # whatever the app does after its acks is over
    assert [call.method for call in fake_slack.calls if call.method != "auth.test"] == []
    assert rows(services) == ([], [], 0)

    # The token's own workspace is served as ever.
    assert "Saved win #1" in slack.command("shipped the Q3 report").json()["text"]
    assert rows(services) == (["T0001"], [("T0001", "U1")], 1)
    wait_until(lambda: fake_slack.calls_to("users.info"), what="the member looked up")


def test_an_uninstall_event_from_a_foreign_team_stores_nothing(
    app_url: str, fake_slack: FakeSlack, services: Services
) -> None:
    foreign = SlackRequests(f"{app_url}/slack/events", SIGNING_SECRET, fake_slack, team="TFOREIGN")
    assert foreign.event({"type": "app_uninstalled"}).status == 200
    assert rows(services) == ([], [], 0)


def test_the_clients_of_single_workspace_mode_serve_only_the_tokens_workspace(services: Services) -> None:
    assert isinstance(services.slack, SingleWorkspace)
    assert services.slack.team_id == "T0001"
    assert services.client_for("T0001") is services.client
    for team in ("T0002", "", None):
        try:
            services.client_for(team)
        except NotInstalled as refused:
            assert refused.team_id == team
        else:
            raise AssertionError(f"{team!r} was served")


def test_a_reinstall_with_a_working_token_serves_the_workspace_again(
    settings: Settings, services: Services, fake_slack: FakeSlack
) -> None:
    """After an uninstall the operator gives the process the new token and restarts it: a token Slack
    accepts means the app is installed there, so the workspace's prompts resume and its data stays."""
    with services.sessions.begin() as session:
        save_member(session, "T0001", "U1", tz="Europe/Berlin", display_name="ana", now=datetime.now(UTC))
    stop_workspace(services, "T0001", "the app was uninstalled")
    with services.sessions() as session:
        assert is_uninstalled(session, "T0001")
    restarted = build_services(settings)
    try:
        assert restarted.client_for("T0001") is restarted.client
        with restarted.sessions() as session:
            assert not is_uninstalled(session, "T0001")
    finally:
        restarted.close()
