"""Member settings: the modal (opened by `/remote-win settings` or a button), its submission, and the
text shortcuts' work, which `bot.listeners.commands` runs within the ack budget.

Each change is one transaction: read the settings (row locked), apply the change, check the whole
combination with `rules.settings.problems`, save, reschedule, and read back the next prompt, so the
answer states what the clock will really do.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.blocks.form import form_metadata
from bot.blocks.settings import (
    CALLBACK_ID,
    OPEN_SETTINGS,
    change_words,
    changed_message,
    day_kind_words,
    loading_modal,
    read_settings_form,
    refused_message,
    settings_message,
    settings_modal,
)
from bot.blocks.wins import Message
from bot.directory import cached_member, forget_member, member_for
from bot.home import refresh_home
from bot.listeners.answer import form_result
from bot.listeners.views import confirm
from bot.services import Services
from bot.slack_text import as_typed
from rules.settings import (
    Mention,
    SetDaysOff,
    SettingsChange,
    SetToday,
    SlackRefs,
    changed,
    problems,
    settings_from_form,
)
from storage import settings as stored

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<([@#])([UWCG][A-Z0-9]+)(?:\|[^<>]*)?>")


def refs_in(raw_text: str) -> SlackRefs:
    """The people and channels picked from Slack's autocomplete in a command's raw text.

    With should_escape Slack sends `<@U123|ana>` and `<#C123|team>`; `as_typed` turns those into
    `@ana` and `#team` for the grammar, so the ids are read here, before they are lost.
    """
    users, channels = [], []
    for match in _MENTION.finditer(raw_text):
        mention = Mention(match.group(2), as_typed(match.group(0)))
        (users if match.group(1) == "@" else channels).append(mention)
    return SlackRefs(tuple(users), tuple(channels))


def register(app: App, services: Services) -> None:
    @app.view(CALLBACK_ID)
    def submit_settings(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_submission(services, ack, body, view)

    @app.action(OPEN_SETTINGS)
    def open_from_button(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        team, user = body["team"]["id"], body["user"]["id"]
        metadata = {"response_url": body["response_url"]} if body.get("response_url") else {}
        services.background.submit(open_settings, services, team, user, body["trigger_id"], metadata)


def open_settings(
    services: Services, team: str, user: str, trigger_id: str, metadata: dict[str, Any]
) -> None:
    """Open the modal within the trigger's 3 s: prefilled from the database, or, for a member Slack
    hasn't described yet, a holding view that is filled in once `users.info` answers."""
    member = cached_member(services, team, user)
    try:
        if member is not None:
            services.client.views_open(
                trigger_id=trigger_id, view=_filled_modal(services, member.id, metadata)
            )
            return
        opened = services.client.views_open(trigger_id=trigger_id, view=loading_modal(metadata))
        member = member_for(services, team, user)
        services.client.views_update(
            view_id=opened["view"]["id"], view=_filled_modal(services, member.id, metadata)
        )
    except SlackApiError as error:
        log.warning("opening the settings failed: %s", error.response.get("error"))


def _filled_modal(services: Services, member_id: int, metadata: dict[str, Any]) -> dict[str, Any]:
    now = services.clock()
    with services.sessions() as session:
        return settings_modal(stored.snapshot(session, member_id, now), now, metadata)


def show_settings(services: Services, team: str, user: str) -> Message:
    """`settings show`: read only."""
    member = member_for(services, team, user)
    now = services.clock()
    with services.sessions() as session:
        return settings_message(stored.snapshot(session, member.id, now), now)


def change_settings(
    services: Services, team: str, user: str, change: SettingsChange | SetToday | SetDaysOff
) -> Message:
    """A text shortcut: apply it, or say why it would leave the settings unusable and change nothing."""
    member = member_for(services, team, user)
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        match change:
            case SetToday(kind):
                day = stored.set_today(session, member.id, kind, now)
                snap = stored.snapshot(session, member.id, now)
                done = day_kind_words(day, day, kind, snap.today)
            case SetDaysOff(first, last):
                stored.set_day_kinds(session, member.id, first, last, "off", now)
                snap = stored.snapshot(session, member.id, now)
                done = day_kind_words(first, last, "off", snap.today)
            case _:
                wanted = changed(stored.settings_of(session, member.id, for_update=True), change)
                found = problems(wanted, user)
                if found:
                    return refused_message(found)
                stored.save_settings(session, member.id, wanted, now)
                snap = stored.snapshot(session, member.id, now)
                done = change_words(change, snap)
    forget_member(services, team, user)  # the cached member carries the zone and the remote days
    refresh_home(services, team, user)
    return changed_message(done, snap, now)


def handle_submission(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Errors ride on the ack, so the check and the save run within the budget, as for the win modal."""
    team, user = body["team"]["id"], body["user"]["id"]
    form = read_settings_form(view)

    def save() -> tuple[dict[str, str], Message | None]:
        member = member_for(services, team, user)
        now = services.clock()
        with services.writing(), services.sessions.begin() as session:
            current = stored.settings_of(session, member.id, for_update=True)
            wanted, errors = settings_from_form(form, current, user)
            if wanted is None:
                return errors, None
            stored.save_settings(session, member.id, wanted, now)
            snap = stored.snapshot(session, member.id, now)
        forget_member(services, team, user)
        refresh_home(services, team, user)
        if form.manager:  # a manager new to the bot starts in UTC: ask Slack for their zone, after the ack
            services.background.submit(member_for, services, team, form.manager)
        return {}, changed_message("Settings saved.", snap, now)

    result = form_result(services, ack, save, "remote_days")
    if result is None:
        return
    errors, message = result
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if message is not None:
        services.background.submit(confirm, services, user, form_metadata(view), message)
