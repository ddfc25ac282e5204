"""Opening the win modal, always after the ack: the trigger is used first and data is loaded around it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError

from bot import logbook
from bot.blocks.form import win_form
from bot.blocks.wins import notice_message
from bot.directory import cached_member, member_for
from bot.services import Services
from rules.calendar import local_today
from rules.wins import WinDraft

log = logging.getLogger(__name__)


def open_new_form(
    services: Services, team: str, user: str, trigger_id: str, metadata: dict[str, Any], text: str = ""
) -> str | None:
    """Open an empty or prefilled form and return its view id; with no zone known yet, no date is preset."""
    member = cached_member(services, team, user)
    today = local_today(services.clock(), member.tz) if member else None
    draft = WinDraft(text, today) if text and today else None
    view = win_form(draft=draft, today=today, metadata=metadata)
    if text and draft is None:
        view["blocks"][0]["element"]["initial_value"] = text[:3000]
    try:
        opened = services.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        return None
    if member is None:
        member_for(services, team, user)  # cache the zone now, so the submission needn't wait for Slack
    return opened["view"]["id"]


def open_edit_form(
    services: Services,
    team: str,
    user: str,
    win_id: int,
    trigger_id: str,
    respond: Respond,
    response_url: str,
) -> None:
    win = logbook.own_win(services, team, user, win_id)
    if win is None:
        respond(response_type="ephemeral", **notice_message(f"You have no win #{win_id} to edit."))
        return
    metadata = {"win_id": win.id, "response_url": response_url}
    try:
        services.client.views_open(
            trigger_id=trigger_id, view=win_form(draft=win.as_draft(), metadata=metadata, editing=True)
        )
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        respond(response_type="ephemeral", **notice_message("Slack didn't open the form in time. Try again."))
