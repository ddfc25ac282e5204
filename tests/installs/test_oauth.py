"""Installing the app in any workspace with OAuth, against the fake Slack, end to end: the install link,
Slack's authorize page, the redirect, and then everything the app does in that workspace with its own
token, rotated before it expires."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update

from bot.installs import NOT_SERVED
from bot.services import Services
from jobs.tick import run_tick
from storage.models import Member, PromptSlot, Win, Workspace, bots, installations
from tests.fake_slack import FakeSlack
from tests.installs.conftest import CLIENT_ID, CLIENT_SECRET, get, install_link, token_team
from tests.support import after_ack_done


def workspace_rows(services: Services) -> dict[str, datetime | None]:
    with services.sessions() as session:
        return dict(session.execute(select(Workspace.id, Workspace.uninstalled_at)).all())


def bot_rows(services: Services, team_id: str) -> list[dict]:
    with services.sessions() as session:
        query = select(bots).where(bots.c.team_id == team_id)
        return [dict(row) for row in session.execute(query).mappings()]


def test_a_workspace_installs_from_the_link_and_uses_the_bot_with_its_own_token(
    install, from_workspace, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    page = install("TA")
    assert page.status == 200 and "Thank you" in page.text, page.text
    (row,) = bot_rows(oauth_services, "TA")
    assert row["bot_token"] in oauth_fake.tokens_of("TA")
    assert row["bot_refresh_token"] and row["bot_token_expires_at"]  # rotation: it expires
    with oauth_services.sessions() as session:
        assert (
            session.scalar(select(installations.c.team_name).where(installations.c.team_id == "TA")) == "Acme"
        )
    assert workspace_rows(oauth_services) == {"TA": None}

    reply = from_workspace("TA").command("shipped the Q3 report")
    assert reply.status == 200 and "Saved win #1" in reply.json()["text"]
    with oauth_services.sessions() as session:
        win = session.scalars(select(Win)).one()
        member = session.get(Member, win.member_id)
    assert (win.workspace_id, member.user_id, member.tz) == ("TA", "U1", "Europe/Berlin")
    (lookup,) = oauth_fake.calls_to("users.info")  # the new member's zone, asked with TA's token
    assert token_team(oauth_fake, lookup) == "TA"


def test_a_workspace_that_has_not_installed_the_app_is_refused_and_nothing_is_stored(
    install, from_workspace, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    install("TA")
    oauth_fake.clear()
    reply = from_workspace("TB").command("shipped the Q3 report")
    assert reply.status == 200 and reply.body.decode() == NOT_SERVED
    assert from_workspace("TB").event({"type": "app_home_opened", "user": "U1", "tab": "home"}).status == 200
    assert from_workspace("TB").action("win_undo", "1").status == 200
    after_ack_done(oauth_services)  # whatever the app does after its acks is over
    assert oauth_fake.calls == []  # no users.info, no views.publish, with anyone's token
    assert workspace_rows(oauth_services) == {"TA": None}
    with oauth_services.sessions() as session:
        assert session.scalars(select(Member)).all() == []


def test_the_redirect_exchanges_its_code_once(
    oauth_app: str, install, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    link, cookie = install_link(oauth_app)
    back = oauth_fake.approve(link, "TA")
    redirect = f"{oauth_app}/slack/oauth_redirect?code={back['code']}&state={back['state']}"
    assert get(redirect, cookie).status == 200
    again = get(redirect, cookie)  # a reload: the state was consumed, and Slack would refuse the code
    assert again.status >= 400
    assert len(bot_rows(oauth_services, "TA")) == 1
    exchange = WebClient(base_url=oauth_fake.api_url)
    with pytest.raises(SlackApiError) as refused:
        exchange.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=back["code"])
    assert refused.value.response["error"] == "code_already_used"
    assert get(f"{oauth_app}/slack/oauth_redirect?code=forged&state=forged", cookie).status >= 400


def test_two_workspaces_with_the_same_user_ids_are_kept_apart(
    install, from_workspace, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    install("TA")
    install("TB")
    assert from_workspace("TA").command("shipped the Q3 report").status == 200
    assert from_workspace("TB").command("fixed the build").status == 200
    listed = {team: from_workspace(team).command("list").body.decode() for team in ("TA", "TB")}
    assert "Q3 report" in listed["TA"] and "fixed the build" not in listed["TA"]
    assert "fixed the build" in listed["TB"] and "Q3 report" not in listed["TB"]
    with oauth_services.sessions() as session:
        members = {m.workspace_id: (m.user_id, m.tz, m.display_name) for m in session.scalars(select(Member))}
    assert members == {"TA": ("U1", "Europe/Berlin", "ana"), "TB": ("U1", "Asia/Tokyo", "kenji")}
    assert {token_team(oauth_fake, call) for call in oauth_fake.calls_to("users.info")} == {"TA", "TB"}

    # Each U1 gets their own morning prompt, in their own workspace, at their own 09:00.
    with oauth_services.sessions.begin() as session:
        session.execute(update(Member).values(remote_days=0b1111111))
    from storage.schedules import reschedule

    now = datetime.now(UTC)
    with oauth_services.sessions.begin() as session:
        for member_id in session.scalars(select(Member.id)):
            reschedule(session, member_id, now)
    with oauth_services.sessions() as session:
        due = sorted(session.scalars(select(PromptSlot.due_at).where(PromptSlot.kind == "morning")))
    for instant in due:
        run_tick(oauth_services, instant, kinds=["morning"])
    sent = [(m.team, m.channel) for m in oauth_fake.messages]
    assert sorted(sent) == [("TA", "DA1"), ("TB", "DB1")]  # one DM each, in its own workspace
    assert [token_team(oauth_fake, c) for c in oauth_fake.calls_to("chat.postMessage")] in (
        ["TA", "TB"],
        ["TB", "TA"],
    )


def test_an_expiring_token_is_rotated_once_and_saved(
    install, from_workspace, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    install("TA")
    (old,) = bot_rows(oauth_services, "TA")
    soon = time.time() + 30 * 60  # within the two hours before expiry when a token is rotated
    oauth_fake.tokens[old["bot_token"]].expires_at = soon
    with oauth_services.writing(), oauth_services.sessions.begin() as session:
        naive = datetime.fromtimestamp(soon, UTC).replace(tzinfo=None)
        session.execute(update(bots).where(bots.c.id == old["id"]).values(bot_token_expires_at=naive))
    oauth_fake.clear()

    assert "Saved win #1" in from_workspace("TA").command("shipped the Q3 report").json()["text"]
    assert "Saved win #2" in from_workspace("TA").command("and the Q4 plan").json()["text"]
    (refresh,) = oauth_fake.calls_to("oauth.v2.access")  # once, not once per request
    assert refresh.params["grant_type"] == "refresh_token"
    (new,) = bot_rows(oauth_services, "TA")
    assert new["bot_token"] != old["bot_token"] and new["bot_refresh_token"] != old["bot_refresh_token"]
    assert {call.headers["authorization"][7:] for call in oauth_fake.calls_to("users.info")} == {
        new["bot_token"]
    }
    exchange = WebClient(base_url=oauth_fake.api_url)
    with pytest.raises(SlackApiError) as spent:  # Slack revokes a refresh token once it is used
        exchange.oauth_v2_access(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            grant_type="refresh_token",
            refresh_token=old["bot_refresh_token"],
        )
    assert spent.value.response["error"] == "invalid_refresh_token"


def test_a_token_that_expired_unrotated_is_refused_by_slack(
    oauth_fake: FakeSlack, install, oauth_services
) -> None:
    install("TA")
    (row,) = bot_rows(oauth_services, "TA")
    client = WebClient(token=row["bot_token"], base_url=oauth_fake.api_url)
    assert client.auth_test()["team_id"] == "TA"
    oauth_fake.expire_token(row["bot_token"])
    with pytest.raises(SlackApiError) as expired:
        client.auth_test()
    assert expired.value.response["error"] == "token_expired"


def test_uninstall_deletes_the_tokens_and_refuses_the_workspace_until_it_installs_again(
    install, from_workspace, oauth_fake: FakeSlack, oauth_services: Services
) -> None:
    install("TA")
    install("TB")
    assert from_workspace("TA").command("shipped the Q3 report").status == 200
    oauth_fake.uninstall("TA")  # Slack revokes the tokens, then tells the app
    assert from_workspace("TA").event({"type": "app_uninstalled"}).status == 200
    assert from_workspace("TA").event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}).status == 200
    assert bot_rows(oauth_services, "TA") == [] and len(bot_rows(oauth_services, "TB")) == 1
    with oauth_services.sessions() as session:
        assert session.scalar(select(installations.c.id).where(installations.c.team_id == "TA")) is None
    uninstalled = workspace_rows(oauth_services)["TA"]
    assert uninstalled is not None
    assert from_workspace("TA").command("another one").body.decode() == NOT_SERVED
    assert from_workspace("TB").command("still here").status == 200  # the other workspace goes on

    install("TA")  # within the retention period: everything is still there
    assert workspace_rows(oauth_services)["TA"] is None
    assert "Saved win" in from_workspace("TA").command("back again").json()["text"]
    with oauth_services.sessions() as session:
        texts = session.scalars(select(Win.text).where(Win.workspace_id == "TA").order_by(Win.id)).all()
    assert texts == ["shipped the Q3 report", "back again"]


def test_tokens_revoked_for_user_tokens_only_changes_nothing(
    install, from_workspace, oauth_services: Services
) -> None:
    install("TA")
    assert from_workspace("TA").event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}).status == 200
    assert len(bot_rows(oauth_services, "TA")) == 1
    assert workspace_rows(oauth_services) == {"TA": None}
