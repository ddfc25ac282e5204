"""What Slack does with the app's side of a request: the signature it puts on every request, and the checks
it makes on the app's HTTP answer (its ack), which never reaches the Web API yet is read by Slack.

Shared by the tests (tests/support.py) and the sandbox, so both hold the app to the same rules.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from remote_wins.simulator import block_kit


def sign(secret: str, timestamp: int, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _request_kind(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """What Slack sent ("command", an interaction type, or "" for events and the rest) and its payload."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return "", {}
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    if "command" in form:
        return "command", form
    try:
        payload = json.loads(form.get("payload") or "")
    except ValueError:
        return "", {}
    return (str(payload.get("type") or ""), payload) if isinstance(payload, dict) else ("", {})


def ack_problem(body: bytes, content_type: str, reply: Reply) -> str | None:
    """Why Slack would refuse the app's HTTP answer (its ack) to this request, or None.

    Why: these answers never reach the fake's Web API, yet Slack reads them: a slash command's or a
    button's ack body is a message; a modal submission's ack is `response_action` `update`/`push` (a
    view) or `errors` (block_id -> message, for input blocks of the submitted view)
    (https://docs.slack.dev/interactivity/handling-user-interaction#responses,
    https://docs.slack.dev/surfaces/modals#displaying_errors)."""
    if reply.status != 200 or not reply.body.strip():
        return None
    kind, payload = _request_kind(body, content_type)
    if not kind:
        return None
    try:
        answer = json.loads(reply.body)
    except ValueError:
        # A plain-text ack is a message's text for a slash command; elsewhere Slack can't read it.
        return None if kind == "command" else f"the ack body is not JSON: {reply.body[:200]!r}"
    if not isinstance(answer, dict):
        return f"the ack body is not a JSON object: {answer!r}"
    if kind == "view_submission" and "response_action" in answer:
        return _response_action_problem(answer, payload.get("view") or {})
    message_kinds = ("command", "block_actions", "message_action", "shortcut")
    if kind in message_kinds and answer.keys() & {"text", "blocks"}:
        return block_kit.message_problem(answer)
    return None


def _response_action_problem(answer: dict[str, Any], submitted: dict[str, Any]) -> str | None:
    action = answer["response_action"]
    if action in ("update", "push"):
        return block_kit.view_problem(answer.get("view"), (block_kit.MODAL,))
    if action == "clear":
        return None
    if action != "errors":
        return f"unknown response_action {action!r}"
    errors = answer.get("errors")
    if not isinstance(errors, dict) or not errors:
        return f"response_action errors needs a non-empty object of block_id -> message, got {errors!r}"
    inputs = {b.get("block_id") for b in submitted.get("blocks") or [] if b.get("type") == "input"}
    for block_id, message in errors.items():
        if not isinstance(message, str) or not message:
            return f"the error for {block_id!r} must be a non-empty string, got {message!r}"
        if submitted.get("blocks") is not None and block_id not in inputs:
            return f"errors names {block_id!r}, which is not an input block of the submitted view"
    return None
