"""The HTTP surface: every request signature-checked, a health check, and nothing else answered."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot.services import Services
from remote_wins.config import Settings
from remote_wins.server import WebApp
from storage.models import Win
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, sign

# Slack's published example (see tests/data/slack/README.md).
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = 1531420618
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def no_wins(services: Services) -> bool:
    with services.sessions() as session:
        return session.scalars(select(Win)).first() is None


def test_the_signing_helper_matches_slacks_published_example() -> None:
    assert sign(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY.encode()) == VECTOR_SIGNATURE
    verifier = SignatureVerifier(VECTOR_SECRET, clock=type("C", (), {"now": lambda self: VECTOR_TIMESTAMP})())
    headers = {"x-slack-request-timestamp": str(VECTOR_TIMESTAMP), "x-slack-signature": VECTOR_SIGNATURE}
    assert verifier.is_valid_request(VECTOR_BODY, headers)


def test_forged_unsigned_and_stale_requests_get_401_and_change_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    body = slack.command_body("should never be saved")
    kind = "application/x-www-form-urlencoded"
    forged = slack.post(body, kind, signature="v0=" + "0" * 64)
    wrong_secret = slack.post(body, kind, signature=sign("not-the-secret", int(time.time()), body))
    unsigned = slack.post(body, kind, signature="")
    stale_ts = int(time.time()) - 6 * 60
    stale = slack.post(body, kind, timestamp=stale_ts, signature=sign(slack.secret, stale_ts, body))
    assert [r.status for r in (forged, wrong_secret, unsigned, stale)] == [401, 401, 401, 401]
    assert no_wins(services)
    assert fake_slack.calls_to("users.info") == [] and fake_slack.responses == []


def test_a_signed_request_from_within_five_minutes_is_accepted(
    slack: SlackRequests, services: Services
) -> None:
    body = slack.command_body("four minutes late")
    ts = int(time.time()) - 4 * 60
    assert slack.post(body, "application/x-www-form-urlencoded", timestamp=ts).status == 200
    assert not no_wins(services)


def test_health_check_answers_when_the_database_does(app_url: str) -> None:
    assert get(f"{app_url}/healthz") == (200, b"ok")
    assert get(f"{app_url}/elsewhere")[0] == 404


def test_health_check_fails_when_the_database_does_not(
    settings: Settings, services: Services, tmp_path
) -> None:
    from wsgiref.util import setup_testing_defaults

    from storage.db import create_db_engine

    services.engine = create_db_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")
    app = WebApp(settings, services)
    environ: dict = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    statuses: list[str] = []
    body = app(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["503 Service Unavailable"] and b"".join(body) == b"database unavailable"


def test_the_request_url_passes_slacks_verification_challenge(slack: SlackRequests) -> None:
    """Slack checks the Request URL the moment it is saved (README: start the server first)."""
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy-unused", "challenge": challenge, "type": "url_verification"}).encode()
    reply = slack.post(body, "application/json")
    assert reply.status == 200 and reply.json() == {"challenge": challenge}
    forged = slack.post(body, "application/json", signature="v0=" + "0" * 64)
    assert forged.status == 401
