"""An app in OAuth mode against the fake Slack, and workspaces installing it through its install link."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from wsgiref.simple_server import make_server

import pytest

from bot.app import build_services
from bot.services import Services
from remote_wins.config import Settings
from remote_wins.server import WebApp
from storage.members import save_member
from storage.models import Member
from storage.schedules import reschedule
from tests.conftest import SIGNING_SECRET, _QuietHandler, _ThreadingWSGIServer
from tests.fake_slack import Call, FakeSlack
from tests.support import SlackRequests

CLIENT_ID, CLIENT_SECRET = "1111111111.2222222222", "test-client-secret"
WORKSPACES = {"TA": "Acme", "TB": "Bravo"}


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str


def get(url: str, cookie: str | None = None) -> Page:
    """A browser's GET, without following redirects."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return Page(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
            )
    except urllib.error.HTTPError as error:
        return Page(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def install_link(app_url: str) -> tuple[str, str]:
    """The app's install page's "Add to Slack" link, and the state cookie the page set with it."""
    page = get(f"{app_url}/slack/install")
    assert page.status == 200, page
    link = unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)[1])
    return link, page.headers["set-cookie"].split(";")[0]


@pytest.fixture
def oauth_fake(fake_slack: FakeSlack) -> FakeSlack:
    """The fake as a distributed app, tokens rotating, with two workspaces that have the same user ids."""
    fake_slack.enable_oauth(CLIENT_ID, CLIENT_SECRET, rotation=True)
    for team_id, name in WORKSPACES.items():
        fake_slack.add_workspace(team_id, name)
    fake_slack.add_user("U1", tz="Europe/Berlin", name="ana", team_id="TA")
    fake_slack.add_user("U1", tz="Asia/Tokyo", name="kenji", team_id="TB")
    return fake_slack


@pytest.fixture
def oauth_settings(oauth_fake: FakeSlack, database_url: str) -> Settings:
    return Settings(
        bot_token=None,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        slack_api_url=oauth_fake.api_url,
        database_url=database_url,
        port=0,
        web_concurrency=1,
        log_level="INFO",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


@pytest.fixture
def oauth_services(oauth_settings: Settings) -> Iterator[Services]:
    built = build_services(oauth_settings)
    yield built
    built.close()


@pytest.fixture
def oauth_app(oauth_settings: Settings, oauth_services: Services) -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, WebApp(oauth_settings, oauth_services), _ThreadingWSGIServer, _QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def install(oauth_app: str, oauth_fake: FakeSlack) -> Callable[[str], Page]:
    """A person of the workspace following the install link: the app's page, Slack's authorize page
    (the fake's `approve`), back to the app's redirect with the code and the state's cookie."""

    def follow(team_id: str) -> Page:
        link, cookie = install_link(oauth_app)
        back = oauth_fake.approve(link, team_id)
        return get(f"{oauth_app}/slack/oauth_redirect?code={back['code']}&state={back['state']}", cookie)

    return follow


@pytest.fixture
def from_workspace(oauth_app: str, oauth_fake: FakeSlack) -> Callable[[str], SlackRequests]:
    """Signed requests as Slack sends them from a workspace."""
    return lambda team_id: SlackRequests(
        f"{oauth_app}/slack/events", SIGNING_SECRET, oauth_fake, team=team_id
    )


def token_team(fake: FakeSlack, call: Call) -> str | None:
    """The workspace whose token made a recorded call."""
    auth = call.headers.get("authorization", "")
    grant = fake.tokens.get(auth[7:]) if auth.lower().startswith("bearer ") else None
    return grant.team_id if grant else None


def calls_from(fake: FakeSlack, method: str, team_id: str) -> list[Call]:
    return [call for call in fake.calls_to(method) if token_team(fake, call) == team_id]


def add_team_member(services: Services, team_id: str, user_id: str, tz: str, now: datetime) -> int:
    """A member of a workspace, remote every day, with prompt slots computed as of `now`."""
    with services.sessions.begin() as session:
        ref = save_member(session, team_id, user_id, tz=tz, display_name=user_id.lower(), now=now)
        member = session.get(Member, ref.id)
        assert member is not None
        member.remote_days = 0b1111111
        session.flush()
        reschedule(session, ref.id, now)
        return ref.id
