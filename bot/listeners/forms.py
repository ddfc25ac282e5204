"""Opening the win modal, always after the ack: the trigger is used first and data is loaded around it.

When Slack won't open a modal (the trigger expired or was refused, or Slack failed) the member is told,
where they started (the command's or the message's `response_url`) or else in the app's DM, with the
one-line command that does the same thing, so a click never ends in silence.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import logbook
from bot.blocks.form import win_form
from bot.blocks.wins import Message, notice_message
from bot.directory import cached_member, member_for
from bot.listeners.views import confirm
from bot.services import Services
from rules.calendar import local_today
from rules.wins import WinDraft
from storage import origins
from storage.metrics import metrics_of

log = logging.getLogger(__name__)
EXPIRED = frozenset({"expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"})
OPEN_ERRORS = (SlackApiError, SlackClientError, OSError)


def slack_error(error: Exception) -> str:
    """Slack's error code for a failed call, or what went wrong on the way to Slack."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "unknown_error")
    return type(error).__name__


def not_opened(what: str, error: Exception) -> str:
    """Why `what` ("the form", "your settings") didn't open, in a sentence."""
    code = slack_error(error)
    if code in EXPIRED:
        return f"Slack didn't open {what} in time (`{code}`)."
    return f"Slack couldn't open {what} just now (`{code}`)."


def tell(services: Services, team: str, user: str, metadata: dict[str, Any], message: Message) -> None:
    """An ephemeral answer where the member started (`response_url` in `metadata`: the one that came with
    this request), else a DM; never raises, since it is the last word of work that already failed."""
    try:
        confirm(services, team, user, message, response_url=metadata.get("response_url"))
    except Exception:
        log.warning("could not tell %s that a modal didn't open", user, exc_info=True)


def with_origin(services: Services, team: str, user: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """What a modal carries in its private_metadata: never the response_url that came with the request
    that opens it, but a reference to where the app keeps it (storage/origins.py), for answering the
    submission there. Should that fail, the answer goes to the DM."""
    shown = {key: value for key, value in metadata.items() if key != "response_url"}
    response_url = metadata.get("response_url")
    if not response_url or "origin" in shown:  # none, or kept already
        return shown
    try:
        with services.writing(), services.sessions.begin() as session:
            ref = origins.remember(session, team, user, response_url, services.clock())
    except Exception:
        log.warning("could not keep where %s opened a modal from", user, exc_info=True)
        return shown
    return shown | ({"origin": ref} if ref else {})


def form_not_opened_message(why: str, from_message: bool) -> Message:
    """The win form didn't open: the same win, logged in one line."""
    again = "use the shortcut again" if from_message else "run `/remote-win` again for the form"
    return notice_message(
        f"{why} Log your win in one line instead: `/remote-win` followed by the win, like "
        f"`/remote-win shipped the Q3 report`. Or {again}."
    )


def metric_names(services: Services, member_id: int) -> list[str]:
    """The names of the member's metrics, offered in the form as a list (a local read, well inside the
    trigger's 3 s)."""
    with services.sessions() as session:
        return [m.name for m in metrics_of(session, member_id)]


def open_new_form(
    services: Services, team: str, user: str, trigger_id: str, metadata: dict[str, Any], text: str = ""
) -> str | None:
    """Open an empty or prefilled form and return its view id; with no zone known yet, no date is preset."""
    member = cached_member(services, team, user)
    today = local_today(services.clock(), member.tz) if member else None
    draft = WinDraft(text, today) if text and today else None
    names = metric_names(services, member.id) if member else []
    view = win_form(
        draft=draft, today=today, metadata=with_origin(services, team, user, metadata), metrics=names
    )
    if text and draft is None:
        view["blocks"][0]["element"]["initial_value"] = text[:3000]
    try:
        opened = services.client_for(team).views_open(trigger_id=trigger_id, view=view)
    except OPEN_ERRORS as error:
        log.warning("views.open failed: %s", slack_error(error))
        why = not_opened("the form", error)
        message = form_not_opened_message(why, metadata.get("source") == "shortcut")
        tell(services, team, user, metadata, message)
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
    names = metric_names(services, win.member_id)
    try:
        metadata = with_origin(services, team, user, {"win_id": win.id, "response_url": response_url})
        services.client_for(team).views_open(
            trigger_id=trigger_id,
            view=win_form(draft=win.as_draft(), metadata=metadata, editing=True, metrics=names),
        )
    except OPEN_ERRORS as error:
        log.warning("views.open failed: %s", slack_error(error))
        why = not_opened("the form", error)
        respond(response_type="ephemeral", **notice_message(f"{why} Try `/remote-win edit {win.id}` again."))
