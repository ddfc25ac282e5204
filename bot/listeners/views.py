"""The win modal's submission: mark bad fields in the modal, save within the budget, confirm after."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.webhook import WebhookClient

from bot import logbook
from bot.blocks.form import CALLBACK_ID, form_metadata, read_form
from bot.blocks.wins import saved_message
from bot.home import refresh_home
from bot.listeners.answer import form_result
from bot.services import Services
from rules.wins import SavedWin, validate_form

log = logging.getLogger(__name__)
GONE = "This win was deleted, so there's nothing to edit. Cancel, and log it again if you need it."


def register(app: App, services: Services) -> None:
    @app.view(CALLBACK_ID)
    def submit_win(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_submission(services, ack, body, view)


def handle_submission(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    team, user = body["team"]["id"], body["user"]["id"]
    metadata = form_metadata(view)
    win_id = metadata.get("win_id")

    def save() -> tuple[SavedWin | None, dict[str, str], Any]:
        today = logbook.today_for(services, team, user)
        draft, errors = validate_form(read_form(view), today)
        if draft is None:
            return None, errors, today
        if win_id is not None:
            return logbook.update_own(services, team, user, int(win_id), draft), {}, today
        source = metadata.get("source", "modal")
        return (
            logbook.save_draft(services, team, user, draft, source=source, ref=f"view:{view['id']}"),
            {},
            today,
        )

    result = form_result(services, ack, save, "text")
    if result is None:
        return
    win, errors, today = result
    if errors:
        ack(response_action="errors", errors=errors)
    elif win is None:
        ack(response_action="errors", errors={"text": GONE})
    else:
        ack()
        verb = "Updated" if win_id is not None else "Saved"
        refresh_home(services, team, user)
        services.background.submit(confirm, services, user, metadata, saved_message(win, today, verb))


def confirm(services: Services, user: str, metadata: dict[str, Any], message: dict[str, Any]) -> None:
    """Tell the member where they started: in the channel (response_url), or else in the app's DM."""
    response_url = metadata.get("response_url")
    if response_url:
        replace = metadata.get("win_id") is not None
        sent = WebhookClient(response_url).send_dict(
            {"response_type": "ephemeral", "replace_original": replace, **message}
        )
        if sent.status_code == 200:
            return
        log.warning("response_url answered %s; confirming in the DM instead", sent.status_code)
    services.client.chat_postMessage(channel=user, **message)
