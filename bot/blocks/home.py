"""The App Home tab: the member's day and week at a glance, and for a manager the team's week too.

A pure renderer, data in and a `home` view out. The parts have fixed block budgets (the team's part
at most `TEAM_BLOCKS`, the member's status a handful, the wins list at most a message's 50), so the
view stays within Slack's 100 blocks whatever the data: a long list says how much it left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.blocks.digest import headline
from bot.blocks.digest import team_line as digest_team_line
from bot.blocks.escape import SECTION_LIMIT, VIEW_BLOCKS, mrkdwn, shown
from bot.blocks.kit import context, section
from bot.blocks.plans import short_day
from bot.blocks.settings import OPEN_SETTINGS, WHY
from bot.blocks.wins import list_message
from rules.calendar import DateRange, describe_day, zone
from rules.deliveries import UNKNOWN_ERROR, DeliveryRecord, Status
from rules.digest import Digest, ReportWeek, week_range
from rules.plans import PlanStatus, SavedPlan
from rules.schedule import DueSlot
from rules.settings import PROMPT_NAMES, describe_prompt
from rules.wins import SavedWin

LOG_WIN = "home_log_win"
PROMPTS_SHOWN = 3
PROBLEMS_SHOWN = 5
PLAN_ITEMS_SHOWN = 10
PLAN_ITEM_LIMIT = 200  # ten items and the title stay well inside a section
NAME_LIMIT = 80
CONTEXT_LIMIT = 2000
TEAM_BLOCKS = 20  # divider, header, team line, report sections, quiet line, last digest
REPORT_SECTIONS = TEAM_BLOCKS - 6


@dataclass(frozen=True)
class MemberHome:
    """What the member's part of the Home shows; times are shown in `tz`."""

    user_id: str
    tz: str
    now: datetime
    today: date  # the member's local date
    wins: Sequence[SavedWin]  # this week's, private ones included (it is the member's own Home)
    period: DateRange  # this week, Monday to Sunday
    plan: SavedPlan | None = None  # today's plan row, if any
    next_prompts: Sequence[DueSlot] = ()  # soonest first
    no_prompt: str = "none scheduled."  # why nothing is (`rules.settings.why_no_prompt`), shown if none is
    problems: Sequence[DeliveryRecord] = ()  # recent deliveries Slack refused, newest first
    working: str = ""  # working hours and holiday calendar (`rules.settings.working_words`), our own words
    # The remote-work trial's one-line status (mrkdwn, our own words: bot.blocks.trial.trial_status),
    # shown under the header; None shows nothing.
    trial: str | None = None


@dataclass(frozen=True)
class LastDigest:
    """The manager's latest digest in the delivery ledger, and whether they acknowledged it."""

    week: str
    status: Status
    sent_at: datetime | None
    error: str | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class TeamHome:
    """A manager's extra part: this week's digest figures (no win texts needed) and the last digest."""

    week: Digest
    last_digest: LastDigest | None


# -- the member's part -------------------------------------------------------------------------------------


def _top(member: MemberHome) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your remote-day wins"}}
    ]
    if member.trial:
        blocks.append(context(member.trial))
    blocks += [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": LOG_WIN,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Log a win"},
                },
                {
                    "type": "button",
                    "action_id": OPEN_SETTINGS,
                    "text": {"type": "plain_text", "text": "Settings"},
                },
            ],
        },
        {"type": "divider"},
    ]
    return blocks


def plan_words(plan: SavedPlan | None) -> str:
    """Today's plan and its state, mrkdwn: none, sent (with its items), skipped, or signed off."""
    if plan is None or plan.status == PlanStatus.DRAFT:
        waiting = len(plan.items) if plan is not None else 0
        tail = f" ({waiting} item{'s' * (waiting != 1)} waiting in your draft)" if waiting else ""
        return f"*Today's plan:* none sent yet{tail}."
    if plan.status == PlanStatus.SKIPPED:
        return "*Today's plan:* skipped today."
    if plan.status == PlanStatus.SUMMARIZED:
        done = f"done {len(plan.done)} of {len(plan.items)}" if plan.items else "no items"
        at = f" at {plan.signed_off}" if plan.signed_off else ""
        return f"*Today's plan:* signed off{at}, {done}."
    lines = [f"*Today's plan:* sent, {len(plan.items)} item{'s' * (len(plan.items) != 1)}:"]
    lines += [f"• {shown(' '.join(item.split()), PLAN_ITEM_LIMIT)}" for item in plan.items[:PLAN_ITEMS_SHOWN]]
    if len(plan.items) > PLAN_ITEMS_SHOWN:
        lines.append(f"…and {len(plan.items) - PLAN_ITEMS_SHOWN} more")
    return "\n".join(lines)


def _prompts(member: MemberHome) -> str:
    working = [mrkdwn(member.working)] if member.working else []
    if not member.next_prompts:
        return "\n".join([f"*Next prompts:* {member.no_prompt}", *working])
    lines = ["*Next prompts:*"]
    lines += [
        f"• {describe_prompt(slot.kind, slot.due_at, member.tz, member.now)}"
        for slot in member.next_prompts[:PROMPTS_SHOWN]
    ]
    return "\n".join([*lines, *working])


def problem_words(problem: DeliveryRecord, today: date) -> str:
    """One delivery Slack refused: which, when, Slack's error and what to do about it."""
    name = PROMPT_NAMES.get(problem.kind, problem.kind.replace("_", " "))
    try:
        when = describe_day(date.fromisoformat(problem.period), today)
    except ValueError:
        when = f"week {shown(problem.period, 24)}"
    error = problem.error or UNKNOWN_ERROR
    why = WHY.get(error, "it will be tried again with the next one.")
    return f"• Your {shown(name, 60)} for {when} wasn't delivered: Slack said `{shown(error, 200)}`; {why}"


def _problems(member: MemberHome) -> list[dict[str, Any]]:
    if not member.problems:
        return []
    lines = [":warning: *Delivery problems:*"]
    lines += [problem_words(p, member.today) for p in member.problems[:PROBLEMS_SHOWN]]
    if len(member.problems) > PROBLEMS_SHOWN:
        lines.append(f"…and {len(member.problems) - PROBLEMS_SHOWN} more.")
    return [section(_fit(lines))]


def _fit(lines: list[str], limit: int = SECTION_LIMIT) -> str:
    """Whole lines, from the top, within `limit` characters (our lines are short; this is the guard)."""
    out, size = [], 0
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


# -- the manager's part ------------------------------------------------------------------------------------


def _report_line(report: ReportWeek) -> str:
    return f"• *{shown(report.report.name, NAME_LIMIT)}* · {headline(report)}"


def _report_sections(active: Sequence[ReportWeek]) -> list[dict[str, Any]]:
    """One line per report who logged something, packed into sections; a huge team says how many more."""
    sections: list[str] = []
    chunk, listed = "", 0
    for report in active:
        line = _report_line(report)
        if chunk and len(chunk) + len(line) + 1 > SECTION_LIMIT:
            if len(sections) == REPORT_SECTIONS - 1:
                break
            sections.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
        listed += 1
    if chunk:
        sections.append(chunk)
    blocks = [section(text) for text in sections]
    if listed < len(active):
        blocks.append(context(f"…and {len(active) - listed} more reports: your digest lists them all."))
    return blocks


def _quiet_line(quiet: Sequence[ReportWeek]) -> list[dict[str, Any]]:
    """Everyone who logged nothing yet, on one line: a fact, not a blame list."""
    if not quiet:
        return []
    line, named = "Nothing logged yet this week: ", 0
    for report in quiet:
        name = shown(report.report.name, NAME_LIMIT)
        if len(line) + len(name) + 40 > CONTEXT_LIMIT:
            break
        line += ("" if named == 0 else ", ") + name
        named += 1
    line += f" and {len(quiet) - named} more." if named < len(quiet) else "."
    return [context(line)]


def _at(instant: datetime, tz: str) -> str:
    local = instant.astimezone(zone(tz))
    return f"{short_day(local.date())} {local:%H:%M}"


def week_words(week: str) -> str:
    """ "the week of 23 Nov – 29 Nov" for a ledger period like "2026-W48": a person doesn't read ISO weeks."""
    try:
        days = week_range(week)
    except ValueError:
        return f"week {shown(week, 24)}"
    return f"the week of {short_day(days.first)} – {short_day(days.last)}"


def last_digest_words(last: LastDigest | None, tz: str) -> str:
    """The last digest: its week, when it went, and whether the manager acknowledged it."""
    if last is None:
        return "*Last digest:* none sent yet."
    week = f"*Last digest:* {week_words(last.week)}"
    if last.status == Status.FAILED:
        return f"{week}, not delivered: Slack said `{shown(last.error or UNKNOWN_ERROR, 200)}`."
    if last.status != Status.SENT:
        return f"{week}: {shown(last.status, 24)}."
    sent = f", sent {_at(last.sent_at, tz)}" if last.sent_at else ", sent"
    if last.acknowledged_at is None:
        return f"{week}{sent} · not acknowledged yet."
    return f"{week}{sent} · :white_check_mark: acknowledged {_at(last.acknowledged_at, tz)}."


def _team(team: TeamHome, tz: str) -> list[dict[str, Any]]:
    digest = team.week
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your team this week"}},
        section(f"*{digest_team_line(digest)}*"),
    ]
    blocks += _report_sections(digest.active)
    blocks += _quiet_line(digest.quiet)
    blocks.append(section(last_digest_words(team.last_digest, tz)))
    return blocks[:TEAM_BLOCKS]


# -- the view ----------------------------------------------------------------------------------------------


def home_view(member: MemberHome, team: TeamHome | None = None) -> dict[str, Any]:
    """The Home tab: buttons, today's plan, next prompts, problems, the team (managers), the week's wins."""
    blocks = _top(member)
    blocks.append(section(plan_words(member.plan)))
    blocks.append(section(_prompts(member)))
    blocks += _problems(member)
    if team is not None:
        blocks += _team(team, member.tz)
    blocks.append({"type": "divider"})
    wins = list_message(member.wins, member.period, member.today)["blocks"]
    room = VIEW_BLOCKS - len(blocks)
    if len(wins) > room:  # never with today's budgets; kept so a new part can't break the limit
        wins = [*wins[: room - 1], context("…and more: `/remote-win list` shows them all.")]
    return {"type": "home", "blocks": blocks + wins}
