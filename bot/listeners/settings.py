"""Member settings: the modal (opened by `/remote-win settings` or a button), its submission, and the
text shortcuts' work, which `bot.listeners.commands` runs within the ack budget.

Each change is one transaction: read the settings (row locked), apply the change, check the whole
combination with `rules.settings.problems`, save, reschedule, and read back the next prompt, so the
answer states what the clock will really do.

What only Slack can tell is asked before that transaction, and only for what changes: a new manager
(`users.info`: a person Slack knows, active, not a bot; else nothing is saved) and a new channel for
plans (an ephemeral message to the member there: Slack refuses it exactly as it would refuse the plan,
with the same chat:write scope, so the member learns now, not on the first remote morning, and nobody
else sees a thing). A channel remote-wins isn't in is saved with the fix (`/invite @remote-wins`), so it
works once they invite it; an archived one is refused, since no invite can fix it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.blocks.settings import (
    ARCHIVED,
    CALLBACK_ID,
    OPEN_SETTINGS,
    change_words,
    changed_message,
    channel_checked_message,
    channel_warning,
    day_kind_words,
    loading_modal,
    manager_refused,
    manager_refused_message,
    read_settings_form,
    refused_message,
    settings_message,
    settings_modal,
    settings_not_opened_message,
    zone_warning,
)
from bot.blocks.wins import Message
from bot.directory import cached_member, forget_member, look_up_person, member_for
from bot.home import refresh_home
from bot.listeners.answer import form_result
from bot.listeners.forms import OPEN_ERRORS, not_opened, slack_error, tell, with_origin
from bot.listeners.views import confirm_submission
from bot.privacy import tell_named_manager
from bot.services import Services
from bot.slack_text import as_typed
from rules.settings import (
    MemberSettings,
    Mention,
    SetDaysOff,
    SetDestination,
    SetManager,
    SettingsChange,
    SetToday,
    SlackRefs,
    changed,
    manager_refusal,
    new_channel,
    new_manager,
    problems,
    settings_from_form,
)
from storage import settings as stored

log = logging.getLogger(__name__)
ARCHIVED_IN_MODAL = "That channel is archived, so remote-wins can't post there: pick another."
_MENTION = re.compile(r"<([@#])([UWCG][A-Z0-9]+)(?:\|[^<>]*)?>")


def refs_in(raw_text: str) -> SlackRefs:
    """The people and channels picked from Slack's autocomplete in a command's raw text.

    With should_escape Slack sends `<@U123|ana>` and `<#C123|team>`; `as_typed` turns those into
    `@ana` and `#team` for the grammar, so the ids are read here, before they are lost.
    """
    users: list[Mention] = []
    channels: list[Mention] = []
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
    hasn't described yet, a holding view that is filled in once `users.info` answers. If Slack won't
    open it, the member is told (see `bot.listeners.forms.tell`), with the text shortcuts to use instead."""
    member = cached_member(services, team, user)
    shown = with_origin(services, team, user, metadata)
    try:
        view = _filled_modal(services, member.id, shown) if member else loading_modal(shown)
        opened = services.client_for(team).views_open(trigger_id=trigger_id, view=view)
    except OPEN_ERRORS as error:
        log.warning("opening the settings failed: %s", slack_error(error))
        tell(services, team, user, metadata, settings_not_opened_message(not_opened("your settings", error)))
        return
    if member is not None:
        return
    try:
        member = member_for(services, team, user)
        services.client_for(team).views_update(
            view_id=opened["view"]["id"], view=_filled_modal(services, member.id, shown)
        )
    except OPEN_ERRORS as error:
        log.warning("filling in the settings failed: %s", slack_error(error))
        why = f"Slack didn't fill in your settings (`{slack_error(error)}`), so close that form."
        tell(services, team, user, metadata, settings_not_opened_message(why))


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
    warning = None
    if isinstance(change, SetManager) and change.user_id and change.user_id != user:  # self: `problems`
        reason = manager_refusal(look_up_person(services, team, change.user_id), user)
        if reason:
            return manager_refused_message(reason, change.typed)
    if isinstance(change, SetDestination) and change.share_to == "channel" and change.channel_id:
        error = check_channel(services, team, user, change.channel_id)
        if error == ARCHIVED:
            return refused_message(
                {"share_channel": channel_warning(error, change.channel_id, saved=False)}, {}
            )
        warning = channel_warning(error, change.channel_id, saved=True) if error else None
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
    if isinstance(change, SetManager) and change.user_id and change.user_id != user:
        services.background.submit(tell_named_manager, services, team, user, change.user_id)
    return changed_message(done, snap, now, _warnings(warning, snap.settings, done))


def check_channel(services: Services, team: str, user: str, channel_id: str) -> str | None:
    """None when remote-wins can post in the channel, else Slack's error: found out by an ephemeral
    message there that only the member sees (see the module doc)."""
    try:
        client = services.client_for(team)
        client.chat_postEphemeral(channel=channel_id, user=user, **channel_checked_message())
    except OPEN_ERRORS as error:
        log.info("checking channel %s for %s: %s", channel_id, user, slack_error(error))
        return slack_error(error)
    return None


def _warnings(channel: str | None, settings: MemberSettings, done: str) -> str | None:
    """What the member still has to do: invite the bot, or set a zone Slack didn't give (unless `done`
    already says so)."""
    zone = zone_warning(settings)
    if zone and "/remote-win tz" in done:
        zone = None
    return " ".join(w for w in (channel, zone) if w) or None


def _check_in_slack(
    services: Services, team: str, user: str, before: MemberSettings, wanted: MemberSettings
) -> tuple[dict[str, str], str | None]:
    """The modal's new manager and new channel, checked in Slack: errors by field, or a warning to save
    the settings with."""
    manager = new_manager(before, wanted)
    if manager and manager != user:  # naming oneself is refused by `problems`, with no call
        person = look_up_person(services, team, manager)
        reason = manager_refusal(person, user)
        if reason:
            who = f"“{person.name}”" if person.name else "that person"
            return {"manager": manager_refused(reason, who)}, None
    channel = new_channel(before, wanted)
    error = check_channel(services, team, user, channel) if channel else None
    if error == ARCHIVED:
        return {
            "share_channel": "That channel is archived, so remote-wins can't post there: pick another."
        }, None
    return {}, channel_warning(error, channel, saved=True) if error and channel else None


def handle_submission(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Errors ride on the ack, so the checks (Slack's included) and the save run within the budget, as for
    the win modal. A check that overruns it leaves the modal open ("press Save again") and saves only if it
    passes: a manager or channel Slack refuses is never saved unseen."""
    team, user = body["team"]["id"], body["user"]["id"]
    form = read_settings_form(view)

    def save() -> tuple[dict[str, str], Message | None]:
        member = member_for(services, team, user)
        now = services.clock()
        with services.sessions() as session:
            before = stored.settings_of(session, member.id)
        wanted, errors = settings_from_form(form, before, user)
        if wanted is None:
            return errors, None
        errors, warning = _check_in_slack(services, team, user, before, wanted)
        if errors:
            return errors, None
        with services.writing(), services.sessions.begin() as session:
            current = stored.settings_of(session, member.id, for_update=True)
            wanted, errors = settings_from_form(form, current, user)
            if wanted is None:
                return errors, None
            named = new_manager(current, wanted)
            stored.save_settings(session, member.id, wanted, now)
            snap = stored.snapshot(session, member.id, now)
        forget_member(services, team, user)
        refresh_home(services, team, user)
        if named and named != user:
            services.background.submit(tell_named_manager, services, team, user, named)
        done = "Settings saved."
        return {}, changed_message(done, snap, now, _warnings(warning, snap.settings, done))

    result = form_result(services, ack, save, "remote_days")
    if result is None:
        return
    errors, message = result
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if message is not None:
        services.background.submit(confirm_submission, services, team, user, view, message)
