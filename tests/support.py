"""Helpers for tests: signed requests into the running app, and waiting for work done after the ack."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

# Slack's signature and its checks on the app's acks live with the simulator, which the sandbox shares.
from remote_wins.simulator.acks import Reply, ack_problem, sign

__all__ = ["Reply", "SlackRequests", "ack_problem", "form_values", "home_work_done", "sign", "wait_until"]

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
