"""A member's prompt settings: the modal, read back into a `SettingsForm`, and the settings in words.

Pure renderers. The words (`settings show`, the modal's top, every shortcut's answer) all come from
`settings_lines` and `next_prompt_line`, so they never disagree; times are in the member's zone.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.blocks.escape import SECTION_LIMIT, mrkdwn, shown
from bot.blocks.kit import context, input_block, option, plain_text, section
from bot.blocks.wins import Message
from rules.calendar import describe_day
from rules.deliveries import UNKNOWN_ERROR, DeliveryRecord
from rules.schedule import WEEKDAYS, describe_weekdays
from rules.settings import (
    PROMPT_NAMES,
    ZONE_EXAMPLE,
    MemberSettings,
    SetDays,
    SetDestination,
    SetHolidays,
    SetHours,
    SetManager,
    SetPaused,
    SetTimes,
    SettingsChange,
    SettingsForm,
    SettingsSnapshot,
    SetZone,
    clock_time,
    describe_holidays,
    describe_hours,
    describe_overrides,
    describe_prompt,
    describe_span,
    plain_zone_note,
    why_no_prompt,
)

CALLBACK_ID = "member_settings"
OPEN_SETTINGS = "settings_open"  # the button in the App Home and under `settings show`
SHARE_LABELS = {"channel": "A team channel", "manager": "My manager's DM", "self": "Only me"}
DAY_KIND_WORDS = {"remote": "a remote day", "office": "an office day", "off": "a day off"}
# A refused delivery, and what the member can do about it.
WHY = {
    "not_in_channel": "remote-wins isn't in that channel: `/invite @remote-wins` there, or pick another.",
    "channel_not_found": "that channel is gone, or it's private and remote-wins isn't in it.",
    "is_archived": "that channel is archived: pick another with `/remote-win channel #team`.",
    "user_not_found": "Slack doesn't know that person: check your manager with `/remote-win settings`.",
    "account_inactive": "the app's token was refused: ask whoever installed remote-wins to reinstall it.",
    "user_disabled": "that account is deactivated: check your manager with `/remote-win settings`.",
}
# Why someone can't be a manager (`rules.settings.manager_refusal`), "{who}" naming them as typed.
MANAGER_REFUSALS = {
    "self": "You can't be your own manager: pick the person you report to.",
    "unknown": "Slack doesn't know {who}: pick the person you report to from Slack's list.",
    "deactivated": "{who} is deactivated in Slack, so they can't be your manager: pick who you report to.",
    "bot": "{who} is a bot, not a person, so it can't be your manager: pick the person you report to.",
}
# Slack refused a post to a chosen channel: refused outright (`ARCHIVED`), or saved with the fix.
ARCHIVED = "is_archived"
INVITE = "`/invite @remote-wins`"
# How to fix, in text, a combination `rules.settings.problems` refuses.
TEXT_FIXES = {
    "manager": "Pick them with `manager @person`, or send plans to `channel me` or `channel #team`.",
    "share_channel": "Pick it with `channel #team`.",
    "eod": "Set both with `times 09:00 17:00`.",
    "work_end": "Set them with `hours 09:00-18:00`.",
    "workdays": "Set them with `hours 09:00-18:00 mon,tue,wed,thu,fri`.",
}


# -- words ---------------------------------------------------------------------------------------------


def destination_words(settings: MemberSettings) -> str:
    """Where plans and summaries go, as mrkdwn (channel and person ids render as names, and ping nobody)."""
    if settings.share_to == "channel" and settings.share_channel:
        return f"<#{mrkdwn(settings.share_channel)}>"
    if settings.share_to == "manager" and settings.manager:
        return f"your manager's DM (<@{mrkdwn(settings.manager)}>)"
    return "only you, in your DM with remote-wins"


def times_words(settings: MemberSettings) -> str:
    return (
        f"{clock_time(settings.morning)} (morning plan) and {clock_time(settings.eod)} (end of day), "
        f"{plain_zone_note(settings)}"
    )


def settings_lines(snap: SettingsSnapshot) -> list[str]:
    """The settings as a short list, mrkdwn."""
    settings = snap.settings
    lines = [
        f"• Remote days: {describe_weekdays(settings.remote_days)}",
        f"• Prompts at {times_words(settings)}",
        f"• Working hours: {describe_hours(settings)} (your weekly messages come within them)",
        f"• Public holidays: {describe_holidays(settings)}",
        f"• Manager: <@{mrkdwn(settings.manager)}>" if settings.manager else "• Manager: not set",
        f"• Plans and summaries go to {destination_words(settings)}",
    ]
    if settings.paused:
        lines.append("• Paused: no prompts until you resume")
    coming = describe_overrides(snap.overrides, snap.today)
    if coming:
        lines.append(f"• Coming up: {'; '.join(coming)}")
    return lines


def next_prompt_line(snap: SettingsSnapshot, now: datetime) -> str:
    slot = snap.next_prompt
    if slot is None:
        return f"*Next prompt:* {why_no_prompt(snap.settings, snap.overrides)}"
    return f"*Next prompt:* {describe_prompt(slot.kind, slot.due_at, snap.settings.tz, now)}."


def problem_line(problem: DeliveryRecord, today: date) -> str:
    """The latest delivery Slack refused, why, and what to do."""
    try:
        period = describe_day(date.fromisoformat(problem.period), today)
    except ValueError:
        period = mrkdwn(problem.period)
    name = PROMPT_NAMES.get(problem.kind, problem.kind.replace("_", " "))
    error = problem.error or UNKNOWN_ERROR
    why = WHY.get(error, "it will be tried again with the next one.")
    return (
        f":warning: *Last problem:* your {mrkdwn(name)} for {period} wasn't delivered "
        f"(`{mrkdwn(error)}`): {why}"
    )


def _within_section(lines: list[str]) -> str:
    """Our own words, a few hundred characters; dropped from the end, whole lines, if ever too long."""
    while len("\n".join(lines)) > SECTION_LIMIT and len(lines) > 1:
        lines = lines[:-1]
    return "\n".join(lines)[:SECTION_LIMIT]


def _overview(snap: SettingsSnapshot, now: datetime, title: str) -> list[dict[str, Any]]:
    blocks = [
        section(_within_section([title, *settings_lines(snap)])),
        section(next_prompt_line(snap, now)),
    ]
    if snap.problem is not None:
        blocks.append(section(problem_line(snap.problem, snap.today)))
    return blocks


def settings_message(snap: SettingsSnapshot, now: datetime) -> Message:
    """`settings show`: the settings, the next prompt in the member's time, any recent delivery problem."""
    button = {
        "type": "button",
        "action_id": OPEN_SETTINGS,
        "text": plain_text("Change settings"),
        "value": "show",
    }
    blocks = [*_overview(snap, now, "*Your remote-day settings*"), {"type": "actions", "elements": [button]}]
    return {"text": "Your remote-day settings", "blocks": blocks}


def change_words(change: SettingsChange, snap: SettingsSnapshot) -> str:
    """What a shortcut changed, in a line (mrkdwn)."""
    settings = snap.settings
    return _recipient_words(change, settings) or _schedule_words(change, settings) or "Saved."


def _recipient_words(change: SettingsChange, settings: MemberSettings) -> str | None:
    """A change of who hears about the member's day: their manager, where plans go."""
    match change:
        case SetManager(None):
            return "You have no manager set now."
        case SetManager(str(user_id)):
            return f"Your manager is <@{mrkdwn(user_id)}>."
        case SetDestination("channel", channel_id):
            return f"Plans and summaries go to <#{mrkdwn(channel_id or '')}>."
        case SetDestination():
            return f"Plans and summaries go to {destination_words(settings)}."
    return None


def _schedule_words(change: SettingsChange, settings: MemberSettings) -> str | None:
    """A change of when the member is prompted: days, times, hours, holidays, zone, pause."""
    match change:
        case SetDays(days):
            if not days:
                return "Remote days: none, so no prompts."
            return f"Remote days: {describe_weekdays(days)}."
        case SetTimes():
            return f"Prompts at {times_words(settings)}."
        case SetHours():
            return f"Working hours: {describe_hours(settings)}, {plain_zone_note(settings)}."
        case SetHolidays():
            return f"Public holidays: {describe_holidays(settings)}."
        case SetZone():
            return f"Time zone: {plain_zone_note(settings)}."
        case SetPaused(True):
            return "Paused: no prompts until `/remote-win resume`."
        case SetPaused(False):
            return "Prompts are on again."
    return None


def day_kind_words(first: date, last: date, kind: str, today: date) -> str:
    """What `today …` or `off …` set, in a line."""
    if first == last == today:
        return f"Today, {first:%a} {first.day} {first:%b}, is {DAY_KIND_WORDS[kind]}."
    if kind == "off":
        return f"Days off: {describe_span(first, last, today)}."
    return f"{describe_span(first, last, today)}: {DAY_KIND_WORDS[kind]}."


def changed_message(done: str, snap: SettingsSnapshot, now: datetime, warning: str | None = None) -> Message:
    """A shortcut's answer: what changed, and when the next prompt comes, in the member's time; `warning`
    is something the member still has to do for it to work (invite the bot, set their zone)."""
    blocks = [section(f":white_check_mark: {done}")]
    if warning:
        blocks.append(section(f":warning: {warning}"))
    blocks += [
        section(next_prompt_line(snap, now)),
        context("`/remote-win settings show` lists all your settings."),
    ]
    return {"text": f"{done} {warning}" if warning else done, "blocks": blocks}


def refused_message(found: dict[str, str], fixes: dict[str, str] | None = None) -> Message:
    """A shortcut that would leave the settings unusable: nothing changes, and the fix is named."""
    fixes = TEXT_FIXES if fixes is None else fixes
    reasons = " ".join(f"{text} {fixes.get(key, '')}".strip() for key, text in found.items())
    text = f"Nothing changed. {reasons}"
    return {"text": text, "blocks": [section(f":warning: {text}")]}


def manager_refused(reason: str, who: str) -> str:
    """Why the person named can't be the manager; `who` is mrkdwn already (escaped, or a mention)."""
    return MANAGER_REFUSALS[reason].format(who=who)


def manager_refused_message(reason: str, typed: str) -> Message:
    """`manager @x` for someone who can't be one: nothing changes, and the person is named as typed."""
    who = f"“{shown(typed, 200)}”" if typed else "that person"
    return refused_message(
        {"manager": manager_refused(reason, who)}, {"manager": "`manager @person` picks them."}
    )


def channel_warning(error: str, channel_id: str, *, saved: bool) -> str:
    """What the member must do for remote-wins to post in the channel, after Slack refused a check there."""
    channel = f"<#{mrkdwn(channel_id)}>"
    if error == ARCHIVED:
        return f"{channel} is archived, so remote-wins can't post there: pick another channel."
    if error == "not_in_channel":
        why = f"remote-wins isn't in {channel}, so it can't post there yet"
    elif error == "channel_not_found":
        why = f"remote-wins can't see {channel}: it's private and remote-wins isn't in it, or it's gone"
    else:
        why = f"remote-wins couldn't check that it can post in {channel} (`{mrkdwn(error)}`)"
    fix = f"type {INVITE} in that channel"
    if saved:
        return f"Saved, but {why}: {fix}. Until then your plans and summaries come to your DM instead."
    return f"{why[0].upper()}{why[1:]}: {fix}."


def channel_checked_message() -> Message:
    """Posted only to the member, in the channel they chose: the check that remote-wins can post there."""
    text = (
        ":white_check_mark: remote-wins can post in this channel, so your remote-day plans and summaries "
        "can go here. Only you can see this."
    )
    return {"text": text, "blocks": [section(text)]}


def zone_warning(settings: MemberSettings) -> str | None:
    """For a member whose zone nobody knows: say so wherever their prompt times are stated."""
    if not settings.tz_unknown:
        return None
    return f"Your time zone is unknown, so your prompts run on UTC until you set it: `{ZONE_EXAMPLE}`."


def settings_not_opened_message(why: str) -> Message:
    """The settings modal didn't open (or fill in): the text shortcuts do the same, one line each."""
    text = (
        f"{why} Change your settings with a command instead: `/remote-win days tue,wed,thu`, "
        "`/remote-win times 09:00 17:00`, `/remote-win tz Europe/Berlin`, `/remote-win manager @person`, "
        "`/remote-win channel #team`. `/remote-win settings show` lists them; `/remote-win help` has the "
        "rest. Or run `/remote-win settings` again."
    )
    return {"text": text, "blocks": [section(text)]}


# -- the modal -----------------------------------------------------------------------------------------


def _day_options(days: frozenset[int]) -> list[dict[str, Any]]:
    return [option(str(d), WEEKDAYS[d].title()) for d in sorted(days)]


def settings_modal(snap: SettingsSnapshot, now: datetime, metadata: dict[str, Any] | None = None) -> dict:
    """The settings modal, prefilled; its top states the current settings and the next prompt."""
    settings = snap.settings
    days = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [option(str(d), name.title()) for d, name in enumerate(WEEKDAYS)],
    }
    if settings.remote_days:
        days["initial_options"] = _day_options(settings.remote_days)
    morning = {"type": "timepicker", "action_id": "value", "initial_time": clock_time(settings.morning)}
    eod = {"type": "timepicker", "action_id": "value", "initial_time": clock_time(settings.eod)}
    work_start = {"type": "timepicker", "action_id": "value", "initial_time": clock_time(settings.work_start)}
    work_end = {"type": "timepicker", "action_id": "value", "initial_time": clock_time(settings.work_end)}
    workdays = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [option(str(d), name.title()) for d, name in enumerate(WEEKDAYS)],
    }
    if settings.workdays:
        workdays["initial_options"] = _day_options(settings.workdays)
    tz = {"type": "plain_text_input", "action_id": "value", "max_length": 64}
    if not settings.tz_unknown:  # an unknown zone is left empty, not shown as UTC
        tz["initial_value"] = settings.tz
        zone_hint = (
            f"Your Slack profile says {settings.slack_tz}: keep it, or leave this empty, to follow "
            "your profile. Or type another, like Asia/Kathmandu."
        )
    else:
        zone_hint = (
            "Slack didn't give your time zone, so UTC is used for now: type yours, like Europe/Berlin."
        )
    manager = {"type": "multi_users_select", "action_id": "value", "max_selected_items": 1}
    if settings.manager:
        manager["initial_users"] = [settings.manager]
    share_to = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [option(k, label) for k, label in SHARE_LABELS.items()],
        "initial_option": option(settings.share_to, SHARE_LABELS[settings.share_to]),
    }
    channel = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if settings.share_channel:
        channel["initial_conversation"] = settings.share_channel
    paused = {"type": "checkboxes", "action_id": "value", "options": [option("paused", "Pause my prompts")]}
    if settings.paused:
        paused["initial_options"] = [option("paused", "Pause my prompts")]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain_text("Your settings"),
        "submit": plain_text("Save"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": [
            *_overview(snap, now, "*Your settings now*"),
            {"type": "divider"},
            input_block(
                "remote_days", "Remote days", days, optional=True, hint="Prompts come only on these days"
            ),
            input_block("morning", "Morning plan prompt", morning),
            input_block("eod", "End-of-day prompt", eod),
            input_block("work_start", "Working day starts", work_start),
            input_block(
                "work_end", "Working day ends", work_end, hint="Your weekly recap comes within these"
            ),
            input_block("workdays", "Working days", workdays),
            input_block(
                "tz",
                "Time zone",
                tz,
                optional=True,
                hint=zone_hint,
            ),
            input_block("manager", "Manager", manager, optional=True),
            input_block("share_to", "Plans and summaries go to", share_to),
            input_block(
                "share_channel", "Team channel", channel, optional=True, hint="Invite @remote-wins there too"
            ),
            input_block("paused", "Pause", paused, optional=True),
        ],
    }


def loading_modal(metadata: dict[str, Any] | None = None) -> dict:
    """Opened at once for a member Slack hasn't told us about yet; replaced when their zone is known."""
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain_text("Your settings"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": [section(":hourglass_flowing_sand: Loading your settings…")],
    }


def read_settings_form(view: dict[str, Any]) -> SettingsForm:
    """The submitted values, as Slack sends them."""
    values = view["state"]["values"]

    def raw(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get("value", {})

    def ticked(block_id: str) -> tuple[str, ...]:
        return tuple(o["value"] for o in raw(block_id).get("selected_options") or [])

    share_to = raw("share_to").get("selected_option")
    managers = raw("manager").get("selected_users") or []
    return SettingsForm(
        remote_days=ticked("remote_days"),
        morning=raw("morning").get("selected_time"),
        eod=raw("eod").get("selected_time"),
        tz=raw("tz").get("value"),
        manager=managers[0] if managers else None,
        share_to=share_to["value"] if share_to else None,
        share_channel=raw("share_channel").get("selected_conversation"),
        paused="paused" in ticked("paused"),
        work_start=raw("work_start").get("selected_time") if "work_start" in values else None,
        work_end=raw("work_end").get("selected_time") if "work_end" in values else None,
        workdays=ticked("workdays") if "workdays" in values else None,
    )
