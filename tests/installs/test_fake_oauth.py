"""The fake Slack as a distributed app: it refuses what Slack refuses about installs and tokens, and
keeps each workspace to itself, so the app's tests of OAuth mode can fail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fake_slack import FakeSlack, SlackError

CLIENT_ID, SECRET = "1111111111.2222222222", "shh"
LINK = f"https://slack.com/oauth/v2/authorize?state=s1&client_id={CLIENT_ID}&scope=commands,chat:write,users:read"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T0001") as fake:
        fake.enable_oauth(CLIENT_ID, SECRET, rotation=True)
        fake.add_workspace("TA", "Acme")
        fake.add_user("U1", tz="Europe/Berlin", name="ana", team_id="TA")
        fake.add_user("U1", tz="Asia/Tokyo", name="kenji")  # the fake's own workspace: same id
        yield fake


def refusal(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as refused:
        call()
    return str(refused.value.response["error"])


def exchange(fake: FakeSlack, **params: str) -> dict:
    client = WebClient(base_url=fake.api_url)
    return client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, **params).data  # type: ignore[return-value]


def test_a_code_is_exchanged_once_for_a_token_of_its_workspace(fake: FakeSlack) -> None:
    back = fake.approve(LINK, "TA")
    assert back["state"] == "s1"
    answer = exchange(fake, code=back["code"])
    assert answer["team"] == {"id": "TA", "name": "Acme"} and answer["token_type"] == "bot"
    assert answer["scope"] == "chat:write,commands,users:read" and answer["expires_in"] > 0
    assert refusal(lambda: exchange(fake, code=back["code"])) == "code_already_used"
    assert refusal(lambda: exchange(fake, code="made-up")) == "invalid_code"
    client = WebClient(base_url=fake.api_url)
    assert refusal(lambda: client.oauth_v2_access(client_id="9.9", client_secret=SECRET, code="x")) == (
        "invalid_client_id"
    )
    assert refusal(lambda: client.oauth_v2_access(client_id=CLIENT_ID, client_secret="no", code="x")) == (
        "bad_client_secret"
    )
    with pytest.raises(SlackError, match="invalid_scope"):
        fake.approve(LINK.replace("chat:write", "admin"), "TA")  # a scope the app doesn't have


def test_a_refresh_token_works_once_and_an_expired_token_is_refused(fake: FakeSlack) -> None:
    first = exchange(fake, code=fake.approve(LINK, "TA")["code"])
    second = exchange(fake, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second["access_token"] != first["access_token"] and second["team"]["id"] == "TA"
    assert refusal(
        lambda: exchange(fake, grant_type="refresh_token", refresh_token=first["refresh_token"])
    ) == ("invalid_refresh_token")
    assert refusal(lambda: exchange(fake, grant_type="password")) == "invalid_grant_type"
    old = WebClient(token=first["access_token"], base_url=fake.api_url)
    assert old.auth_test()["team_id"] == "TA"  # still good until it expires
    fake.expire_token(first["access_token"])
    assert refusal(old.auth_test) == "token_expired"
    assert refusal(WebClient(token="xoxb-made-up", base_url=fake.api_url).auth_test) == "invalid_auth"
    fake.uninstall("TA")
    assert (
        refusal(WebClient(token=second["access_token"], base_url=fake.api_url).auth_test) == "token_revoked"
    )
    assert refusal(
        lambda: exchange(fake, grant_type="refresh_token", refresh_token=second["refresh_token"])
    ) == ("invalid_refresh_token")


def test_each_token_sees_its_own_workspace_only(fake: FakeSlack) -> None:
    token = exchange(fake, code=fake.approve(LINK, "TA")["code"])["access_token"]
    theirs = WebClient(token=token, base_url=fake.api_url)
    ours = WebClient(token=fake.bot_token, base_url=fake.api_url)
    assert (theirs.auth_test()["team_id"], ours.auth_test()["team_id"]) == ("TA", "T0001")
    assert theirs.users_info(user="U1")["user"]["name"] == "ana"
    assert ours.users_info(user="U1")["user"]["name"] == "kenji"
    fake.add_user("U2", team_id="TA")
    assert refusal(lambda: ours.users_info(user="U2")) == "user_not_found"
    theirs.chat_postMessage(channel="U1", text="hi")
    ours.chat_postMessage(channel="U1", text="hi")
    assert sorted((m.team, m.channel) for m in fake.messages) == [("T0001", "D1"), ("TA", "DA1")]
    assert refusal(lambda: theirs.users_info(user="U3")) == "user_not_found"
