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
from bot.slack_client import is_slack_response_url
from rules.wins import SavedWin, validate_form
from storage import origins

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
        message = saved_message(win, today, verb)
        services.background.submit(
            confirm_submission, services, team, user, view, message, win_id is not None
        )


def confirm(
    services: Services,
    team: str,
    user: str,
    message: dict[str, Any],
    *,
    response_url: str | None,
    replace: bool = False,
) -> None:
    """Tell the member where they started: in the channel (a response_url Slack gave for it), or else in
    the app's DM."""
    if response_url and not is_slack_response_url(response_url, services.client.base_url):
        log.warning("not one of Slack's response URLs; confirming in the DM instead")
    elif response_url:
        sent = WebhookClient(response_url).send_dict(
            {"response_type": "ephemeral", "replace_original": replace, **message}
        )
        if sent.status_code == 200:
            return
        log.warning("response_url answered %s; confirming in the DM instead", sent.status_code)
    services.client_for(team).chat_postMessage(channel=user, **message)


def confirm_submission(
    services: Services,
    team: str,
    user: str,
    view: dict[str, Any],
    message: dict[str, Any],
    replace: bool = False,
) -> None:
    """Confirm a modal's submission where the modal was opened from, as the app recorded it when it opened
    the modal (storage/origins.py): private_metadata carries only a reference to that record."""
    ref = form_metadata(view).get("origin")
    with services.sessions() as session:
        response_url = origins.response_url_of(session, ref, team, user)
    confirm(services, team, user, message, response_url=response_url, replace=replace)
