"""Helpers for tests: signed requests into the running app, waiting for work done after the ack, and what
many test modules set up or read the same way (members, wins, message texts, `remote-wins` processes)."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Services

# Slack's signature and its checks on the app's acks live with the simulator, which the sandbox shares.
from remote_wins.simulator.acks import Reply, ack_problem, sign
from remote_wins.simulator.fake_slack import FakeSlack, Message
from rules.wins import WinDraft
from storage.members import MemberRef, save_member
from storage.models import Member, Win
from storage.schedules import reschedule
from storage.wins import add_win

__all__ = [
    "CliProcess",
    "Reply",
    "SlackRequests",
    "ack_problem",
    "add_member",
    "after_ack_done",
    "block_with_id",
    "blocks_json",
    "form_values",
    "free_port",
    "home_work_done",
    "open_win_form",
    "png_size",
    "save_win",
    "saved_win_texts",
    "saved_wins",
    "sign",
    "visible_text",
    "wait_until",
]

T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
    """Poll until `check()` is truthy; for effects that happen after the ack, on another thread."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def free_port() -> int:
    """A loopback port free now, for a server the test starts in another process (which can't report the
    port it bound, as an in-process server bound to port 0 can)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def home_work_done(services: Any, timeout: float = 5.0) -> None:
    """Return once every Home publish the app has started is over: the republish timers have fired
    (bot.home), then the Home pool has run what they and the listeners queued. Only then can a test
    assert that no Home was published."""
    deadline = time.monotonic() + timeout
    for timer in [t for t in threading.enumerate() if isinstance(t, threading.Timer)]:
        timer.join(max(0.0, deadline - time.monotonic()))
        if timer.is_alive():
            raise AssertionError("a Home republish timer is still waiting")
    services.background.home_settled(max(0.1, deadline - time.monotonic()))


def after_ack_done(services: Any, timeout: float = 5.0) -> None:
    """Return once all the work the app started after its acks is over: the `work` and `submit` jobs
    (bot.background), then the Home republishes they or the listeners scheduled. Only then can a test
    assert that nothing was sent: a sleep would pass whenever the work is slower than the sleep."""
    deadline = time.monotonic() + timeout
    services.background.settled(timeout)
    home_work_done(services, max(0.1, deadline - time.monotonic()))


class SlackRequests:
    """Builds Slack's requests (commands, interactions, events), signs them and posts them to the app."""

    def __init__(self, url: str, secret: str, fake: Any, team: str = "T0001") -> None:
        self.url, self.secret, self.fake, self.team = url, secret, fake, team
        self._n = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}.{time.monotonic_ns()}"

    def post(
        self, body: bytes, content_type: str, *, timestamp: int | None = None, signature: str | None = None
    ) -> Reply:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(self.secret, ts, body),
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = Reply(response.status, response.read(), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), time.monotonic() - started)
        if problem := ack_problem(body, content_type, reply):
            raise AssertionError(f"Slack would refuse the app's answer to this request: {problem}")
        return reply

    def command_body(self, text: str, user: str = "U1") -> bytes:
        return urlencode(
            {
                "token": "legacy-unused",
                "team_id": self.team,
                "team_domain": "acme",
                "channel_id": "C1",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/remote-win",
                "text": text,
                "response_url": self.fake.new_response_url(),
                "trigger_id": self._next("trigger-"),
                "api_app_id": "A1",
            }
        ).encode()

    def command(self, text: str, user: str = "U1", **kwargs: Any) -> Reply:
        return self.post(self.command_body(text, user), "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict[str, Any]) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def action(self, action_id: str, value: str, user: str = "U1", response_url: str | None = None) -> Reply:
        return self.interaction(
            {
                "type": "block_actions",
                "team": {"id": self.team, "domain": "acme"},
                "user": {"id": user},
                "api_app_id": "A1",
                "trigger_id": self._next("trigger-"),
                "response_url": response_url or self.fake.new_response_url(),
                "container": {"type": "message", "is_ephemeral": True},
                "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
            }
        )

    def submit_view(self, view: dict[str, Any], values: dict[str, Any], user: str = "U1") -> Reply:
        submitted = {"type": "modal", "callback_id": "win_form", **view, "state": {"values": values}}
        submitted.setdefault("id", "V1")
        return self.interaction(
            {
                "type": "view_submission",
                "team": {"id": self.team, "domain": "acme"},
                "user": {"id": user},
                "api_app_id": "A1",
                "trigger_id": self._next("trigger-"),
                "view": submitted,
            }
        )

    def message_shortcut(
        self, text: str, channel: str = "C1", ts: str = "1700000000.000100", user: str = "U1"
    ) -> Reply:
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": "save_as_remote_win",
                "team": {"id": self.team, "domain": "acme"},
                "user": {"id": user},
                "channel": {"id": channel},
                "message": {"type": "message", "text": text, "ts": ts, "user": "U2"},
                "trigger_id": self._next("trigger-"),
                "response_url": self.fake.new_response_url(),
                "message_ts": ts,
            }
        )

    def event(self, event: dict[str, Any], **headers: str) -> Reply:
        body = json.dumps(
            {
                "token": "legacy-unused",
                "team_id": self.team,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": self._next("Ev"),
                "event_time": int(time.time()),
                "event": event,
            }
        ).encode()
        return self.post(body, "application/json")


def form_values(
    text: str | None = None,
    *,
    category: str | None = None,
    metric_name: str | None = None,
    metric_value: str | None = None,
    link: str | None = None,
    local_date: str | None = None,
    day_kind: str | None = None,
    private: bool = False,
) -> dict[str, Any]:
    """The `state.values` Slack sends for the win modal."""

    def option(value: str | None) -> dict[str, Any]:
        return {"selected_option": {"value": value} if value else None}

    return {
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "category": {"value": {"type": "static_select", **option(category)}},
        "metric_name": {"value": {"type": "plain_text_input", "value": metric_name}},
        "metric_value": {"value": {"type": "number_input", "value": metric_value}},
        "link": {"value": {"type": "url_text_input", "value": link}},
        "local_date": {"value": {"type": "datepicker", "selected_date": local_date}},
        "day_kind": {"value": {"type": "radio_buttons", **option(day_kind)}},
        "private": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "private"}] if private else []}
        },
    }


def open_win_form(slack: SlackRequests, fake_slack: FakeSlack, text: str = "") -> dict[str, Any]:
    """`/remote-win` (with `text`), acked empty; the win form it opened, with an id to submit it under."""
    before = len(fake_slack.calls_to("views.open"))
    reply = slack.command(text)
    assert reply.status == 200 and reply.body == b""
    calls = wait_until(lambda: fake_slack.calls_to("views.open")[before:], what="views.open")
    return calls[0].params["view"] | {"id": f"V{before}"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    return struct.unpack(">II", body[:8])


def block_with_id(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The view's block with this `block_id` (StopIteration if there is none)."""
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def blocks_json(message: Message | dict[str, Any]) -> str:
    """A posted message's or a view's blocks as JSON text, as sent: Slack's escapes (`&lt;`) stay in, so
    a test can check what was escaped and that nothing leaked anywhere in the blocks."""
    blocks = message.blocks if isinstance(message, Message) else message["blocks"]
    return json.dumps(blocks, ensure_ascii=False)


def visible_text(messages: Message | Iterable[Message]) -> str:
    """What a person reads in a message (or in a DM and its thread): each block's text and its elements'
    texts, one a line. No JSON around it, so a phrase can't be found in a key or an action id."""
    parts: list[str] = []
    for message in [messages] if isinstance(messages, Message) else messages:
        for block in message.blocks or []:
            if isinstance(block.get("text"), dict):
                parts.append(block["text"]["text"])
            parts.extend(str(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))
    return "\n".join(parts)


def add_member(
    services: Services,
    user: str = "U1",
    *,
    joined: datetime,
    slack: FakeSlack | None = None,
    team: str = "T0001",
    tz: str = "UTC",
    name: str | None = None,
    slots_at: datetime | None = None,
    **settings: Any,
) -> MemberRef:
    """A member as the bot saves them when they first use it, at `joined`, then with the columns in
    `settings` set as the settings commands would. With `slack`, the fake Slack knows them too (without,
    a DM to them fails as to someone Slack doesn't know); with `slots_at`, their prompt and digest slots
    are computed as of then, as a settings change does (a bare save computes none)."""
    name = name or user.lower()
    if slack is not None:
        slack.add_user(user, tz=tz, name=name)
    with services.sessions.begin() as session:
        member = save_member(session, team, user, tz=tz, display_name=name, now=joined)
        if settings:
            session.execute(update(Member).where(Member.id == member.id).values(**settings))
        if slots_at is not None:
            reschedule(session, member.id, slots_at)
    return member


def save_win(
    db: Services | sessionmaker[Session],
    member: MemberRef,
    text: str,
    day: date,
    *,
    at: datetime,
    source: str = "command",
    source_ref: str | None = None,
    **draft: Any,
) -> int:
    """A win dated `day`, saved at `at` as the command saves it (the instant decides which digest shows
    it); `draft` sets the form's other fields. `db` is a bot test's services or a storage test's sessions."""
    sessions = db.sessions if isinstance(db, Services) else db
    with sessions.begin() as session:
        win = WinDraft(text, day, **draft)
        return add_win(session, member, win, source=source, source_ref=source_ref, now=at).id


def saved_wins(services: Services) -> list[Win]:
    """Every win in the database, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(Win).order_by(Win.id)))


def saved_win_texts(services: Services) -> list[str]:
    """The text of every win in the database, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(Win.text).order_by(Win.id)))


class CliProcess:
    """A `remote-wins` command (`clock`, `socket`, ...) in its own process session, its output in a log
    file the test reads; kill it at the end of the test (the `processes` fixture does)."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str, *args: str) -> None:
        self.log = cwd / f"{name}.log"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "remote_wins.cli", *args],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 20) -> None:
        """Until `text` is in the log; fails at once, with the log, if the process ended without it."""

        def logged() -> bool:
            assert self.process.poll() is None or text in self.output(), self.output()
            return text in self.output()

        wait_until(logged, timeout=timeout, what=f"{text!r} in {self.log.name}")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """The signal a process manager (or Ctrl-C) sends; the exit status."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
