"""The buttons of a member's data being theirs: forget-me's Confirm and Cancel, and the digest's "Not my
report". Each acks at once; the work (bot/privacy.py) and its answer, in place of the message pressed,
follow in the pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import privacy
from bot.blocks.digest import DECLINE, parse_report_key
from bot.blocks.privacy import FORGET_CANCEL, FORGET_CONFIRM
from bot.blocks.wins import Message
from bot.services import Services

log = logging.getLogger(__name__)
TOKEN_LENGTH = 32


def register(app: App, services: Services) -> None:
    for action_id, handle in ((FORGET_CONFIRM, privacy.confirm), (FORGET_CANCEL, privacy.cancel)):
        app.action(action_id)(_forget_button(services, handle))

    @app.action(DECLINE)
    def decline(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        key = parse_report_key(str(action.get("value")))
        if key is not None:
            team, user = body["team"]["id"], body["user"]["id"]
            _answer(services, respond, lambda: privacy.decline(services, team, user, key[0]), replace=False)


def _forget_button(
    services: Services, handle: Callable[[Services, str, str, str], Message]
) -> Callable[..., None]:
    """Confirm or Cancel: acked at once, answered in place of the question, with the token it carries."""

    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        token = _token(action)
        if token is not None:
            team, user = body["team"]["id"], body["user"]["id"]
            _answer(services, respond, lambda: handle(services, team, user, token), replace=True)

    return pressed


def _token(action: dict[str, Any]) -> str | None:
    """The confirmation's token from the button, or None when the value can't be one."""
    value = str(action.get("value") or "")
    return value if len(value) == TOKEN_LENGTH and value.isalnum() else None


def _answer(services: Services, respond: Respond, work: Callable[[], Message], *, replace: bool) -> None:
    """Do the work after the ack and answer the presser alone, in place of the message or under it."""

    def run() -> None:
        try:
            message = work()
        except Exception:
            log.exception("a privacy button's work failed")
            message = {"text": "That didn't work just now, so nothing changed. Press the button again."}
        try:
            respond(response_type="ephemeral", replace_original=replace, **message)
        except Exception:
            log.warning("could not answer a privacy button", exc_info=True)

    services.background.submit(run)
