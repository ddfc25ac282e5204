"""The remote day's plan and summary: the two prompts, their modals, and what gets posted.

Pure renderers: data in, Block Kit out, each within Slack's limits (50 blocks a message, 100 a
modal, 3000 characters a section, 10 checkboxes a group, 75 characters an option). Everything the
member typed is escaped where mrkdwn shows it, and only cut where a limit leaves no choice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.blocks.escape import MESSAGE_BLOCKS, MESSAGE_TEXT, SECTION_LIMIT, cut, mrkdwn, shown
from bot.blocks.kit import button, context, input_block, line_sections, option, plain_text, section, text_size
from bot.blocks.wins import LIST_LINE_LIMIT, Message
from rules.calendar import zone
from rules.plans import (
    AVAILABILITY_LENGTH,
    ITEMS_LENGTH,
    Audience,
    Picked,
    PlanForm,
    SavedPlan,
    SummaryForm,
    linkable,
    repeated_wins,
)
from rules.wins import SavedWin, plain_number

PLAN_FORM, SUMMARY_FORM = "plan_form", "summary_form"
OPEN_PLAN, SNOOZE, SKIP, OPEN_SUMMARY = "plan_open", "plan_snooze", "plan_skip", "summary_open"
TICK = "plan_done_"  # + group number: the checkboxes of the end-of-day message
TICK_PATTERN = re.compile(rf"^{TICK}\d+$")  # their action ids
TICK_BLOCK = re.compile(rf"^{TICK}(\d+):(\d{{4}}-\d\d-\d\d)$")  # their blocks: group and plan date
SNOOZE_MINUTES = (30, 60)
# One action_id per snooze button (+ minutes): Slack refuses a whole message whose actions block repeats an
# action_id (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
SNOOZE_PATTERN = re.compile(rf"^{SNOOZE}_\d+$")
CHECKBOX_GROUP = 10
OPTION_TEXT = 75
MORE_TEXT = 40  # the "…and N more." line


# -- small pieces ------------------------------------------------------------------------------------------


def long_day(day: date) -> str:
    """A plan's date as the member reads it: "Tuesday 24 November"."""
    return f"{day:%A} {day.day} {day:%B}"


def short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def where(audience: Audience) -> str:
    """Where a plan goes, in words (mrkdwn): a channel link, the manager, or the member alone."""
    if audience.kind == "channel":
        return f"to <#{mrkdwn(audience.channel)}>"
    if audience.kind == "manager":
        return f"to <@{mrkdwn(audience.channel)}>"
    return f"only to you ({audience.missing})" if audience.missing else "only to you, here"


def _actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    return block | ({"block_id": block_id} if block_id else {})


def _sections(
    lines: Sequence[str], around: Sequence[dict[str, Any]], room: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """Lines packed into sections in the room the blocks `around` them leave in a message (blocks and
    text), or in `room` (blocks, characters) when given; when they don't all fit, the last block says how
    many were left out."""
    blocks, chars = room or (MESSAGE_BLOCKS - len(around), MESSAGE_TEXT - text_size(around))
    sections, left_out = line_sections(lines, blocks=blocks, chars=chars)
    if not left_out:
        return sections
    sections, left_out = line_sections(lines, blocks=blocks - 1, chars=chars - MORE_TEXT)
    return [*sections, context(f"…and {left_out} more.")]


def tick_group(block_id: str) -> tuple[range, date] | None:
    """Which items a checkbox group of the end-of-day message holds, and the plan's date."""
    match = TICK_BLOCK.match(block_id)
    if match is None:
        return None
    start = int(match[1]) * CHECKBOX_GROUP
    try:
        return range(start, start + CHECKBOX_GROUP), date.fromisoformat(match[2])
    except ValueError:
        return None


def _groups(items: Sequence[str]) -> list[range]:
    """Item indexes in groups of ten, the most one checkbox element holds."""
    return [range(i, min(i + CHECKBOX_GROUP, len(items))) for i in range(0, len(items), CHECKBOX_GROUP)]


def _checkboxes(action_id: str, items: Sequence[str], group: range, ticked: Sequence[int]) -> dict[str, Any]:
    options = [option(str(i), cut(items[i], OPTION_TEXT)) for i in group]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": action_id, "options": options}
    initial = [options[i - group.start] for i in group if i in ticked]
    return element | ({"initial_options": initial} if initial else {})


def _item_lines(items: Sequence[str], mark: str) -> list[str]:
    return [f"{mark} {shown(item, SECTION_LIMIT - len(mark) - 1)}" for item in items]


def _win_lines(wins: Sequence[SavedWin], *, show_private: bool, numbered: bool = False) -> list[str]:
    lines = []
    for win in wins:
        note = " _(private)_" if show_private and win.private else ""
        number = f"#{win.id} " if numbered else ""
        lines.append(f"• {number}{shown(win.text, LIST_LINE_LIMIT)}{note}")
    return lines


def _done_lines(plan: SavedPlan) -> list[str]:
    """The done items, each pointing to the win it is, when it is one: "✅ write the report → win #12"."""
    mark, win_of, lines = ":white_check_mark:", plan.win_of, []
    for i, item in enumerate(plan.items):
        if i in plan.done:
            link = f" → win #{win_of[i]}" if i in win_of else ""
            lines.append(f"{mark} {shown(item, SECTION_LIMIT - len(mark) - len(link) - 1)}{link}")
    return lines


# -- the morning -------------------------------------------------------------------------------------------


def morning_prompt(day: date, audience: Audience, draft: Sequence[str], *, snoozed: bool = False) -> Message:
    """The DM on a remote morning: write the plan, snooze, or skip the day."""
    ask = "Back as promised: what's" if snoozed else "What's"
    lead = section(
        f":sunrise: *Remote day, {long_day(day)}.* {ask} the plan? It goes {where(audience)}, "
        "with the hours you can be reached and how."
    )
    value = day.isoformat()
    buttons = _actions(
        button(OPEN_PLAN, "Write today's plan", value, "primary"),
        *(button(f"{SNOOZE}_{m}", f"Snooze {_minutes(m)}", f"{value}|{m}") for m in SNOOZE_MINUTES),
        button(SKIP, "Skip today", value),
    )
    carried = []
    if draft:
        carried = _sections(["*Carried over, ready in the form:*", *_item_lines(draft, "•")], [lead, buttons])
    return {"text": f"What's your plan for {long_day(day)}?", "blocks": [lead, *carried, buttons]}


def _minutes(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def snoozed_message(day: date, until: str) -> Message:
    """The morning prompt after Snooze: when it comes back (member's local time), and a way to go on now."""
    value = day.isoformat()
    return {
        "text": f"Snoozed until {until}",
        "blocks": [
            section(f":zzz: Snoozed until *{until}*: I'll ask for the plan for {long_day(day)} again then."),
            _actions(button(OPEN_PLAN, "Write it now", value), button(SKIP, "Skip today", value)),
        ],
    }


def skipped_message(day: date) -> Message:
    """The morning prompt after Skip: nothing more today, unless the member changes their mind."""
    return {
        "text": f"Skipped {long_day(day)}",
        "blocks": [
            section(f":palm_tree: Skipped {long_day(day)}: no plan, and no end-of-day prompt."),
            _actions(button(OPEN_PLAN, "Write a plan after all", day.isoformat())),
        ],
    }


def already_planned_message(day: date) -> Message:
    return {
        "text": "Your plan is already sent",
        "blocks": [
            section(
                f":white_check_mark: Your plan for {long_day(day)} is already sent, so the day stays on."
            ),
            _actions(button(OPEN_PLAN, "Edit the plan", day.isoformat())),
        ],
    }


def plan_form(
    day: date,
    audience: Audience,
    items: Sequence[str],
    reachable: str | None,
    reach_via: str | None,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """The plan modal: items from the day's draft (or the plan being edited), availability from last time."""
    items_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": ITEMS_LENGTH,
        "placeholder": plain_text("One item a line"),
    }
    prefill = _whole_lines(items, ITEMS_LENGTH)
    if prefill:
        items_input["initial_value"] = prefill
    reach = {"type": "plain_text_input", "action_id": "value", "max_length": AVAILABILITY_LENGTH}
    hours, via = dict(reach), dict(reach)
    hours["placeholder"], via["placeholder"] = (
        plain_text("9:00–12:30, 13:30–17:30"),
        plain_text("Slack DM; phone after 3 pm"),
    )
    if reachable:
        hours["initial_value"] = reachable[:AVAILABILITY_LENGTH]
    if reach_via:
        via["initial_value"] = reach_via[:AVAILABILITY_LENGTH]
    left_out = len(items) - len(prefill.splitlines()) if items else 0
    hint = f"{left_out} carried items didn't fit here." if left_out else "One item a line."
    return {
        "type": "modal",
        "callback_id": PLAN_FORM,
        "title": plain_text("Your remote-day plan"),
        "submit": plain_text("Post plan"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": [
            context(f"{long_day(day)}: the plan goes {where(audience)}."),
            input_block("items", "What will you get done?", items_input, hint=hint),
            input_block("reachable", "Hours you can be reached", hours, optional=True),
            input_block("reach_via", "How to reach you", via, optional=True),
        ],
    }


def _whole_lines(items: Sequence[str], limit: int) -> str:
    """Items one a line, as many whole ones as fit in `limit` characters."""
    text = ""
    for item in items:
        candidate = f"{text}\n{item}" if text else item
        if len(candidate) > limit:
            break
        text = candidate
    return text


def read_plan_form(view: dict[str, Any]) -> PlanForm:
    """The plan modal's values as submitted, for `rules.plans.validate_plan` to check."""
    values = view["state"]["values"]

    def text(block_id: str) -> str:
        return values.get(block_id, {}).get("value", {}).get("value") or ""

    return PlanForm(text("items"), text("reachable"), text("reach_via"))


def plan_message(user_id: str, plan: SavedPlan) -> Message:
    """What the team or the manager sees: "<member> is working remotely today", items, availability."""
    lead = (
        f":house_with_garden: *<@{mrkdwn(user_id)}> is working remotely today*, {long_day(plan.local_date)}"
    )
    tail = _availability(plan)
    body = _sections(_item_lines(plan.items, "•"), [section(lead), *tail])
    return {
        "text": f"<@{mrkdwn(user_id)}> is working remotely today",
        "blocks": [section(lead), *body, *tail],
    }


def _availability(plan: SavedPlan) -> list[dict[str, Any]]:
    details = []
    if plan.reachable:
        details.append(f"*Reachable:* {mrkdwn(plan.reachable)}")
    if plan.reach_via:
        details.append(f"*How:* {mrkdwn(plan.reach_via)}")
    return [context("   ·   ".join(details))] if details else []


def plan_held_notice(day: date, audience: Audience, until: datetime, tz: str) -> Message:
    """The morning prompt when the plan waits for the manager's working hours (`until`, shown in the
    member's zone `tz`); it can still be edited, and goes as it is then."""
    return {
        "text": "Your plan is saved; it reaches your manager at the start of their day",
        "blocks": [
            section(
                f":crescent_moon: Your plan for {long_day(day)} is saved. It's outside the working hours of "
                f"<@{mrkdwn(audience.channel)}>, so it reaches them at the start of their day: "
                f"*{_your_time(until, tz)}*, together with your summary if you've signed off by then."
            ),
            _actions(button(OPEN_PLAN, "Edit the plan", day.isoformat())),
        ],
    }


def _your_time(instant: datetime, tz: str) -> str:
    return f"{instant.astimezone(zone(tz)):%a} {instant.astimezone(zone(tz)):%H:%M} your time"


def plan_sent_notice(day: date, place: str, *, edited: bool = False) -> Message:
    """The morning prompt once the plan is out, with a way to edit it (the posted message is updated)."""
    verb = "updated" if edited else "posted"
    return {
        "text": f"Your plan is {verb}",
        "blocks": [
            section(f":white_check_mark: Your plan for {long_day(day)} is {verb} {place}."),
            _actions(button(OPEN_PLAN, "Edit the plan", day.isoformat())),
        ],
    }


# -- the end of the day ------------------------------------------------------------------------------------


def eod_prompt(day: date, audience: Audience, plan: SavedPlan | None, wins: Sequence[SavedWin]) -> Message:
    """The DM at the end of a remote day: the morning's items to tick, the day's wins, and Sign off."""
    lead = section(
        f":city_sunset: *Wrapping up {long_day(day)}.* Tick what got done and sign off: "
        f"the summary goes {where(audience)}."
    )
    blocks = [lead]
    if plan is not None and plan.posted and plan.items:
        for n, group in enumerate(_groups(plan.items)):
            element = _checkboxes(f"{TICK}{n}", plan.items, group, plan.done)
            blocks.append(_actions(element, block_id=f"{TICK}{n}:{day.isoformat()}"))
    else:
        blocks.append(
            context("No plan was sent this morning; you can still sign off with your wins and blockers.")
        )
    if wins:
        lines = [f"*Wins logged today: {len(wins)}*", *_win_lines(wins, show_private=True)]
    else:
        lines = ["No wins logged today yet: `/remote-win <what you did>` logs one."]
    sign_off = _actions(button(OPEN_SUMMARY, "Sign off", day.isoformat(), "primary"))
    blocks += _sections(lines, [*blocks, sign_off])
    blocks.append(sign_off)
    return {"text": f"How did {long_day(day)} go?", "blocks": blocks}


def summary_form(
    day: date,
    plan: SavedPlan | None,
    ticked: Sequence[int],
    *,
    signed_off: str,
    tz: str,
    blockers: str | None,
    carry_count: int,
    next_day: date,
    metadata: dict[str, Any],
    wins: Sequence[SavedWin] = (),
    metrics: Sequence[str] = (),
    logged: tuple[str, float] | None = None,
) -> dict[str, Any]:
    """The sign-off modal: items to tick, which done items are wins, a value for one of the member's
    metrics, blockers cleared, sign-off time, carry-over, and the next plan.

    The metric is picked from `metrics` (the names of the member's metrics), never typed, as in the win
    form; `logged` (name, value) is what the summary logged for this day before, to open as it was sent.

    A done item becomes a win only when picked under "Log as wins too" (none are, at first); an item
    that repeats a win logged today (`wins`, rules.plans) is offered to be linked to it instead. When the
    summary is sent again, the form opens as it was sent. `signed_off` ("HH:MM", the member's zone `tz`)
    and `blockers` prefill it: now and nothing on a first sign-off, what was sent when the summary is
    sent again.
    """
    blocks: list[dict[str, Any]] = []
    if plan is not None and plan.posted and plan.items:
        blocks.append(
            context(
                f"{long_day(day)}: tick what you got done. A done item counts toward your plan; "
                "it is a win only if you pick it below."
            )
        )
        for n, group in enumerate(_groups(plan.items)):
            label = "What got done?" if n == 0 else "…and of the rest of the plan"
            element = _checkboxes("value", plan.items, group, ticked)
            blocks.append(input_block(f"done_{n}", label, element, optional=True))
        blocks += _item_win_inputs(plan, wins)
    else:
        blocks.append(
            context(f"{long_day(day)}: no plan was sent this morning. Sign off with what you cleared.")
        )
    cleared = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": ITEMS_LENGTH,
    }
    if blockers:
        cleared["initial_value"] = blockers[:ITEMS_LENGTH]
    picker = {"type": "timepicker", "action_id": "value", "initial_time": signed_off, "timezone": tz}
    tomorrow = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": ITEMS_LENGTH,
    }
    blocks += _metric_inputs(metrics, logged)
    blocks += [
        input_block("blockers", "Blockers cleared", cleared, optional=True),
        input_block("signed_off", "Signed off at", picker),
    ]
    if plan is not None and plan.carried:
        blocks.append(context("What wasn't done is already in the plan for your next remote day."))
    elif carry_count:
        carry_option = option("carry", f"Carry what's not done to {short_day(next_day)}")
        carry = {
            "type": "checkboxes",
            "action_id": "value",
            "options": [carry_option],
            "initial_options": [carry_option],
        }
        blocks.append(input_block("carry", "The rest", carry, optional=True))
    blocks.append(
        input_block(
            "tomorrow",
            f"Plan for {short_day(next_day)}",
            tomorrow,
            optional=True,
            hint="One item a line; it will be in the form that morning.",
        )
    )
    return {
        "type": "modal",
        "callback_id": SUMMARY_FORM,
        "title": plain_text("Sign off"),
        "submit": plain_text("Sign off"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _metric_inputs(metrics: Sequence[str], logged: tuple[str, float] | None) -> list[dict[str, Any]]:
    """A select of the member's metrics and the day's number for it; nothing for a member without metrics."""
    names = list(dict.fromkeys([*metrics, *([logged[0]] if logged else [])]))
    if not names:
        return []
    options = [option(name, cut(name, OPTION_TEXT)) for name in names]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain_text("Pick one of your metrics"),
        "options": options,
    }
    number: dict[str, Any] = {"type": "number_input", "action_id": "value", "is_decimal_allowed": True}
    if logged:
        select["initial_option"] = options[names.index(logged[0])]
        number["initial_value"] = plain_number(logged[1])
    return [
        input_block(
            "metric_name",
            "Metric",
            select,
            optional=True,
            hint="The day's number for one of your metrics, counted as “/remote-win metric” counts it.",
        ),
        input_block("metric_value", "Number", number, optional=True),
    ]


def _item_win_inputs(plan: SavedPlan, wins: Sequence[SavedWin]) -> list[dict[str, Any]]:
    """ "Log as wins too" (each item; none picked unless sent so before) and "Already logged today" (the
    items that repeat a win logged today, each with the win it repeats)."""
    logged = {w.id: w for w in linkable(wins)}
    linked = {i: logged[w] for i, w in plan.item_wins if w in logged}
    made = [i for i, w in plan.item_wins if w not in logged]
    blocks = []
    for n, group in enumerate(_groups(plan.items)):
        label = "Log as wins too" if n == 0 else "…and of the rest of the plan"
        hint = "None unless you pick them; each must be ticked as done above." if n == 0 else ""
        element = _checkboxes("value", plan.items, group, made)
        blocks.append(input_block(f"wins_{n}", label, element, optional=True, hint=hint))
    offers = repeated_wins(plan.items, wins) | linked
    shown_offers = sorted(offers.items())
    for n in range(0, len(shown_offers), CHECKBOX_GROUP):
        options, initial = [], []
        for i, win in shown_offers[n : n + CHECKBOX_GROUP]:
            choice = option(f"{i}:{win.id}", cut(plan.items[i], OPTION_TEXT))
            choice["description"] = plain_text(cut(f"Same as win #{win.id}: {win.text}", OPTION_TEXT))
            options.append(choice)
            if linked.get(i) == win:
                initial.append(choice)
        element = {"type": "checkboxes", "action_id": "value", "options": options}
        if initial:
            element["initial_options"] = initial
        first = n == 0
        blocks.append(
            input_block(
                f"link_{n // CHECKBOX_GROUP}",
                "Already logged as a win today" if first else "…and more already logged",
                element,
                optional=True,
                hint="Link a done item to the win it repeats: it shows as done → win #N, and no second "
                "win is made."
                if first
                else "",
            )
        )
    return blocks


def read_summary_form(view: dict[str, Any]) -> SummaryForm:
    """The sign-off modal's values as submitted, for `rules.plans.validate_summary` to check; a picked
    option is named by its group's block id, where an error about it is shown."""
    values = view["state"]["values"]

    def field(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get("value", {})

    def chosen(prefix: str) -> tuple[Picked, ...]:
        return tuple(
            Picked(block_id, str(picked.get("value", "")), str((picked.get("text") or {}).get("text") or ""))
            for block_id in values
            if block_id.startswith(prefix)
            for picked in field(block_id).get("selected_options") or ()
        )

    return SummaryForm(
        done=tuple(picked.value for picked in chosen("done_")),
        wins=chosen("wins_"),
        links=chosen("link_"),
        blockers=field("blockers").get("value") or "",
        signed_off=field("signed_off").get("selected_time") or "",
        tomorrow=field("tomorrow").get("value") or "",
        carry=bool(field("carry").get("selected_options")),
        metric_name=(field("metric_name").get("selected_option") or {}).get("value"),
        metric_value=field("metric_value").get("value"),
    )


def ticked_in_message(state: dict[str, Any]) -> set[int] | None:
    """The boxes ticked in the end-of-day message, from the state Slack sends with a button press."""
    values = (state or {}).get("values") or {}
    groups = [block for block_id, block in values.items() if TICK_BLOCK.match(block_id)]
    if not groups:
        return None
    return {
        int(chosen["value"])
        for block in groups
        for element in block.values()
        for chosen in element.get("selected_options") or ()
        if str(chosen.get("value", "")).isdigit()
    }


def done_line(plan: SavedPlan) -> str:
    """The day in one line: "Done 2 of 3 planned"."""
    if not plan.items:
        return "No plan this morning"
    return f"Done {len(plan.done)} of {len(plan.items)} planned"


def summary_message(
    user_id: str, plan: SavedPlan, wins: Sequence[SavedWin], carried_to: date | None
) -> Message:
    """The posted summary: done N of M planned, what was done and not, the day's wins, blockers cleared.

    A done item that is a win says which ("→ win #12"); the wins listed are the ones the member logged,
    numbered, so an item linked to one points to a line here. Private wins stay out (they never reach the
    manager), and so do the wins made from items, which are listed as done already.
    """
    lead, lines = _summary_parts(user_id, plan, wins, carried_to)
    return {
        "text": f"<@{mrkdwn(user_id)}> signed off: {done_line(plan)}",
        "blocks": [lead, *_sections(lines, [lead])],
    }


def _summary_parts(
    user_id: str, plan: SavedPlan, wins: Sequence[SavedWin], carried_to: date | None
) -> tuple[dict[str, Any], list[str]]:
    """The summary's lead section and the lines under it."""
    who, day = f"<@{mrkdwn(user_id)}>", long_day(plan.local_date)
    lead = f":checkered_flag: *{who} signed off at {plan.signed_off}*, {day}\n{done_line(plan)}"
    lines = []
    if plan.done:
        lines += ["*Done*", *_done_lines(plan)]
    if plan.open_items:
        carried = f" _(carried to {short_day(carried_to)})_" if carried_to else ""
        lines += [f"*Not done yet*{carried}", *_item_lines(plan.open_items, ":white_square:")]
    others = [w for w in wins if not w.private and w.source != "summary"]
    if others:
        lines += [f"*Wins* ({len(others)})", *_win_lines(others, show_private=False, numbered=True)]
    if plan.blockers:
        lines += ["*Blockers cleared*", *(shown(line, SECTION_LIMIT) for line in plan.blockers.splitlines())]
    return section(lead), lines


def held_message(
    user_id: str, plan: SavedPlan, wins: Sequence[SavedWin], *, with_plan: bool, with_summary: bool
) -> Message:
    """A report's day as the manager gets it at the start of their working day, when it was posted outside
    it: the plan and the summary (those not posted yet) in one message, each given half the room when
    both are there."""
    who, day = f"<@{mrkdwn(user_id)}>", long_day(plan.local_date)
    fixed = [context(":crescent_moon: Sent outside your working hours, so held until the start of your day.")]
    plan_lead = section(f":house_with_garden: *{who}'s plan for their remote day*, {day}")
    summary_lead, summary_lines = _summary_parts(user_id, plan, wins, None)
    if with_plan:
        fixed += [plan_lead, *_availability(plan)]
    if with_summary:
        fixed += [{"type": "divider"}, summary_lead] if with_plan else [summary_lead]
    blocks, chars = MESSAGE_BLOCKS - len(fixed), MESSAGE_TEXT - text_size(fixed)
    plan_body: list[dict[str, Any]] = []
    if with_plan:
        share = (blocks // 2, chars // 2) if with_summary else (blocks, chars)
        plan_body = _sections(_item_lines(plan.items, "•"), [], share)
    summary_body: list[dict[str, Any]] = []
    if with_summary:
        summary_body = _sections(summary_lines, [], (blocks - len(plan_body), chars - text_size(plan_body)))
    out = [fixed[0]]
    if with_plan:
        out += [plan_lead, *plan_body, *_availability(plan)]
    if with_summary:
        out += [{"type": "divider"}] if with_plan else []
        out += [summary_lead, *summary_body]
    parts = " and ".join(p for p, on in (("plan", with_plan), ("summary", with_summary)) if on)
    return {"text": f"{who}'s {parts} for {day}", "blocks": out}


def summary_held_notice(plan: SavedPlan, audience: Audience, until: datetime, tz: str) -> Message:
    """The end-of-day prompt when the summary waits for the manager's working hours."""
    text = (
        f":crescent_moon: Signed off at {plan.signed_off}: {done_line(plan)}. It's outside the working hours "
        f"of <@{mrkdwn(audience.channel)}>, so the summary reaches them at the start of their day: "
        f"*{_your_time(until, tz)}*."
    )
    return {"text": done_line(plan), "blocks": [section(text)]}


def summary_sent_notice(plan: SavedPlan, place: str, carried_to: date | None, carried: int) -> Message:
    """The end-of-day prompt once the summary is out."""
    text = f":white_check_mark: Signed off at {plan.signed_off}: {done_line(plan)}. Summary posted {place}."
    if carried_to:
        text += (
            f"\n{carried} item{'s' if carried != 1 else ''} waiting in the plan for {long_day(carried_to)}."
        )
    return {"text": done_line(plan), "blocks": [section(text)]}


# -- when Slack says no ------------------------------------------------------------------------------------

WHY = {
    "not_in_channel": "I'm not in that channel: invite me there with `/invite @remote-wins`.",
    "channel_not_found": "that channel doesn't exist, or it's private and I'm not in it.",
    "is_archived": "that channel is archived: pick another one with `/remote-win settings`.",
    "user_not_found": "Slack doesn't know that person: set your manager again with `/remote-win settings`.",
    "user_disabled": "that account is deactivated: set your manager again with `/remote-win settings`.",
    "account_inactive": "the app's token was refused: ask whoever installed remote-wins to reinstall it.",
}


def not_posted_message(what: str, day: date, place: str, error: str, content: Message) -> Message:
    """A DM to the member: what Slack said, what to do, and what wasn't posted, so nothing is lost."""
    why = WHY.get(error, "try again in a minute.")
    head = section(
        f":warning: Your {what} for {long_day(day)} is saved, but Slack wouldn't post it {place} "
        f"(`{mrkdwn(error)}`): {why}"
    )
    again = _actions(button(OPEN_PLAN if what == "plan" else OPEN_SUMMARY, "Post it again", day.isoformat()))
    kept = content["blocks"][: MESSAGE_BLOCKS - 3]
    return {
        "text": f"Your {what} wasn't posted: {error}",
        "blocks": [head, again, {"type": "divider"}, *kept],
    }
