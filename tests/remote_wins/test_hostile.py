"""Hostile HTTP traffic: every request that is not Slack's is refused before it costs anything.

The size cap is checked from Content-Length before the body is read, the signature before anything is
parsed, and whatever is malformed gets a 4xx with a one-line reason, never a traceback (see the note in
remote_wins/server.py).
"""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import urlencode, urlsplit

import pytest

from bot.services import Services
from remote_wins.server import MAX_BODY
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, saved_win_texts, sign, wait_until

FORM = "application/x-www-form-urlencoded"


def raw_request(url: str, head: bytes, body: bytes = b"", *, timeout: float = 5.0) -> bytes:
    """Send bytes as they are (headers not checked by any client library) and read the whole answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(head + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and _complete(answer):
                break
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def payload_body(payload: str) -> bytes:
    return urlencode({"payload": payload}).encode()


# Malformed bodies, each as a stranger would send it (unsigned) and as a signed request would carry it.
MALFORMED = {
    "payload not JSON": (payload_body("{not json"), FORM),
    "invalid UTF-8": (b"payload=%7B%7D&text=\xff\xfe", FORM),
    "percent-encoded invalid UTF-8": (b"command=%2Fremote-win&text=%FF%FE", FORM),
    "JSON array as payload": (payload_body("[1, 2]"), FORM),
    "JSON null as payload": (payload_body("null"), FORM),
    "form labelled JSON": (b"token=x&team_id=T0001&command=%2Fremote-win", "application/json"),
    "JSON array body": (b"[{}]", "application/json"),
    "deeply nested JSON": (b"[" * 100_000, "application/json"),
    "another content type": (b"<xml/>", "text/xml"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_unsigned_junk_gets_401_and_signed_junk_400_never_a_traceback(
    case: str, slack: SlackRequests, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    body, kind = MALFORMED[case]
    unsigned = slack.post(body, kind, signature="")
    signed = slack.post(body, kind)
    assert unsigned.status == 401
    assert 400 <= signed.status < 500 and signed.status != 401
    for reply in (unsigned, signed):
        assert b"Traceback" not in reply.body and len(reply.body) < 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert saved_win_texts(services) == []


@pytest.mark.parametrize("timestamp", ["soon", "1e9", "", "-5", "9" * 5000, "١٧٠٠٠٠٠٠٠٠"])
def test_a_timestamp_that_is_not_a_plain_number_is_refused(slack: SlackRequests, timestamp: str) -> None:
    body = slack.command_body("never saved")
    headers = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: {sign(slack.secret, 0, body)}\r\nConnection: close\r\n\r\n"
    )
    assert status_of(raw_request(slack.url, headers.encode(), body)) == 401


def test_a_body_over_the_cap_is_refused_from_its_length_before_it_is_read(
    slack: SlackRequests, services: Services
) -> None:
    """Only the headers are sent: the 413 can only come from Content-Length, not from reading 16 MB (an
    app waiting for that body would leave raw_request to time out)."""
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {16 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_request(slack.url, head, b"payload=")
    assert status_of(answer) == 413
    just_over = head.replace(str(16 * 1024 * 1024).encode(), str(MAX_BODY + 1).encode())
    assert status_of(raw_request(slack.url, just_over, b"payload=")) == 413
    base = slack.command_body("x")
    at_the_cap = base.replace(b"&text=x&", b"&text=" + b"x" * (MAX_BODY - len(base) + 1) + b"&")
    assert len(at_the_cap) == MAX_BODY
    assert slack.post(at_the_cap, FORM).status == 200  # read, and answered (too long for a win)
    assert saved_win_texts(services) == []


def test_a_body_without_a_length_is_refused(slack: SlackRequests) -> None:
    chunked = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    assert status_of(raw_request(slack.url, chunked)) in (400, 411)


def test_only_post_is_answered_on_the_request_url(slack: SlackRequests) -> None:
    head = b"GET /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert status_of(raw_request(slack.url, head)) == 405


def test_a_win_that_mentions_payload_is_saved(slack: SlackRequests, services: Services) -> None:
    """Bolt reads any form body containing "payload" as an interaction; ours reads Slack's fields."""
    reply = slack.command("the payload schema is documented")
    assert reply.status == 200 and "Saved" in reply.json()["text"]
    assert saved_win_texts(services) == ["the payload schema is documented"]


def test_a_signed_payload_with_shapes_slack_never_sends_is_refused_quietly(
    slack: SlackRequests, caplog: pytest.LogCaptureFixture, fake_slack: FakeSlack
) -> None:
    odd = [
        {"type": "block_actions", "team": ["T0001"], "user": "U1"},
        {"type": "view_submission", "team": None, "user": None, "view": "V1"},
        {"type": 7, "actions": {}},
        {},
    ]
    for payload in odd:
        reply = slack.post(payload_body(json.dumps(payload)), FORM)
        assert reply.status < 500 and b"Traceback" not in reply.body, payload
    event = {"type": "event_callback", "team_id": ["x"], "event": "not an object"}
    reply = slack.post(json.dumps(event).encode(), "application/json")
    assert reply.status < 500 and b"Traceback" not in reply.body
    wait_until(lambda: True)
    assert fake_slack.calls_to("chat.postMessage") == []
