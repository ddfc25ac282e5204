"""The message shortcut "Save as remote win": the form, prefilled with the message and its permalink."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.blocks.form import win_form
from bot.directory import member_for
from bot.listeners.forms import open_new_form, with_origin
from bot.services import Services
from bot.slack_text import as_typed
from rules.calendar import local_today
from rules.wins import WinDraft

CALLBACK_ID = "save_as_remote_win"
log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.shortcut(CALLBACK_ID)
    def save_message(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        services.background.submit(prefill_from_message, services, body)


def prefill_from_message(services: Services, body: dict[str, Any]) -> None:
    """Open the form at once (the trigger lasts 3 s), then add the permalink, which needs a Slack call."""
    team, user = body["team"]["id"], body["user"]["id"]
    message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
    text = as_typed(message.get("text") or "")
    response_url = body.get("response_url")
    metadata = with_origin(services, team, user, {"response_url": response_url, "source": "shortcut"})
    view_id = open_new_form(
        services, team, user, body["trigger_id"], metadata | {"response_url": response_url}, text=text
    )
    if view_id is None or not channel or not message.get("ts"):
        return
    try:
        client = services.client_for(team)
        link = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
        today = local_today(services.clock(), member_for(services, team, user).tz)
        draft = WinDraft(text or " ", today, link=link)
        client.views_update(view_id=view_id, view=win_form(draft=draft, metadata=metadata))
    except SlackApiError as error:  # the form is open and usable without the link
        log.warning("could not add the permalink: %s", error.response.get("error"))
