"""The remote-work trial in Block Kit: the modal, the proposal with Accept / Discuss, the trial's summary,
a check-in (the member's copy with "Share with my manager", the manager's with Continue / Adjust /
Let's talk), the manager's answers as the member reads them, and the overwork note.

The figure lines (`figure_lines`) are written once, in words, and shared with the evidence pack
(bot/evidence.py): user text goes through the `esc` each caller gives (mrkdwn here, HTML there). A side
without days says so ("no office days to compare against"); no figure is ever a division by zero.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.blocks.escape import mrkdwn, shown
from bot.blocks.kit import context, input_block, line_sections, option, plain_text, section
from bot.blocks.wins import Message
from rules.calendar import DateRange, zone
from rules.digest import Comparison
from rules.metrics import MetricDef, value_words
from rules.schedule import WEEKDAYS
from rules.trial import (
    CHECKIN_SEARCH_DAYS,
    DEFAULT_CHECKINS,
    DEFAULT_LENGTH,
    MAX_REACH,
    Baseline,
    CheckinReport,
    Figures,
    MetricResult,
    Overwork,
    TrialForm,
    TrialPlan,
    clock,
    duration,
    share,
)

FORM = "trial_form"
ACCEPT, DISCUSS = "trial_accept", "trial_discuss"
SHARE = "checkin_share"
CONTINUE, ADJUST, TALK = "checkin_continue", "checkin_adjust", "checkin_talk"
ADJUST_FORM = "checkin_adjust_form"
NOTE_LIMIT = 2000
NAME_LIMIT = 80
DECISION_WORDS = {"continue": "Continue", "adjust": "Adjust", "talk": "Let's talk"}
RESPONSE_WORDS = {"accepted": "accepted", "discuss": "would like to discuss"}
Esc = Callable[[str], str]


def _esc(text: str) -> str:
    return shown(text, NAME_LIMIT)


def day_words(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def span_words(period: DateRange) -> str:
    first, last = period.first, period.last
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b} {last.year}"
    return f"{day_words(first)} – {day_words(last)}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _mean(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.2f}"


# -- the trial in words ------------------------------------------------------------------------------------


def arrangement_words(plan: TrialPlan, esc: Esc = _esc) -> str:
    days = ", ".join(WEEKDAYS[d].title() for d in sorted(plan.arrangement.remote_days)) or "none"
    text = f"remote on {days}"
    hours = plan.arrangement.hours
    if hours:
        text += f"; reachable {hours[0]:%H:%M}–{hours[1]:%H:%M}"
    if plan.arrangement.reach_via:
        text += f" via {esc(plan.arrangement.reach_via)}"
    return text


def metric_target(metric: MetricDef, esc: Esc = _esc) -> str:
    target = metric.target_words()
    return f"{esc(metric.name)}" + (f" ({target})" if target else " (no target)")


def trial_lines(plan: TrialPlan, esc: Esc = _esc) -> list[str]:
    """What was proposed: dates, length, check-ins, the arrangement, the metrics that count."""
    ends = plan.last_day
    lines = [
        f"Start {day_words(plan.start)}, {plan.length} days (to {day_words(plan.planned_last)})"
        + (f", ended early on {day_words(ends)}" if plan.ended_on else ""),
        "Check-ins after days " + ", ".join(map(str, plan.checkins)),
        "Arrangement: " + arrangement_words(plan, esc),
        "Metrics: "
        + ("; ".join(metric_target(m, esc) for m in plan.metrics) if plan.metrics else "none chosen"),
    ]
    return lines


# -- the figures in words ----------------------------------------------------------------------------------


def wins_line(comparison: Comparison) -> str:
    """ "2.1 wins logged per remote day (25 on 12 days), 1.5 per office day (12 on 8 days)"."""
    remote, office = comparison.remote_days, comparison.office_days
    if not remote and not office:
        return "No remote or office days yet"
    parts = []
    if remote:
        parts.append(
            f"{_mean(comparison.remote_rate)} wins logged per remote day "
            f"({comparison.remote_wins} on {_plural(remote, 'day')})"
        )
    else:
        parts.append("no remote days yet")
    if office:
        parts.append(
            f"{_mean(comparison.office_rate)} per office day ({comparison.office_wins} on "
            f"{_plural(office, 'day')})"
        )
    else:
        parts.append("no office days to compare against")
    return ", ".join(parts)


def amount(value: float, unit: str) -> str:
    """A mean per day: a count as the digest shows one ("4.5"), another unit with it ("8.5 minutes")."""
    return _mean(value) if unit == "count" else value_words(value, unit)


def _side(value: float | None, days: int, kind: str, metric: MetricDef, met: bool | None) -> str:
    if value is None:
        return f"no {kind} days logged"
    verdict = "" if met is None else (", met" if met else ", not met")
    return f"{amount(value, metric.unit)} on {_plural(days, kind + ' day')}{verdict}"


def metric_line(result: MetricResult, esc: Esc = _esc) -> str:
    """One metric against its target, with the days (or weeks) behind it, and remote against office."""
    metric = result.metric
    head = metric_target(metric, esc)
    if result.days == 0 and result.weeks == 0:
        return f"{head}: not logged yet"
    if metric.per == "week":
        figure = (
            f"{value_words(result.weekly, metric.unit)} a week over {_plural(result.weeks, 'whole week')}"
            if result.weekly is not None
            else "no whole week logged yet"
        )
    else:
        figure = (
            f"{value_words(result.mean, metric.unit)} a day over {_plural(result.days, 'day')} logged"
            if result.mean is not None
            else "not logged on a remote or office day yet"
        )
    verdict = {True: ": target met", False: ": target not met", None: ""}[result.met]
    rates = result.rates
    sides = (
        f"per day, {_side(rates.remote, rates.remote_days, 'remote', metric, result.side_met('remote'))} vs "
        f"{_side(rates.office, rates.office_days, 'office', metric, result.side_met('office'))}"
    )
    return f"{head}: {figure}{verdict}; {sides}"


def times_line(figures: Figures) -> str:
    remote, office = figures.times["remote"], figures.times["office"]
    if not (remote.starts or office.starts or remote.ends or office.ends):
        return "No start or end of day recorded yet"
    return (
        f"Start of day {clock(remote.start)} remote ({_plural(remote.starts, 'day')}) vs "
        f"{clock(office.start)} "
        f"office ({_plural(office.starts, 'day')}); end of day {clock(remote.end)} vs {clock(office.end)}; "
        f"length {duration(remote.length)} ({_plural(remote.lengths, 'day')}) vs {duration(office.length)} "
        f"({_plural(office.lengths, 'day')})"
    )


def reach_line(figures: Figures, plan: TrialPlan) -> str:
    reach = figures.reach
    if not reach.remote_days:
        return "No remote days yet"
    line = f"Plans posted on {share(reach.plans_posted, reach.remote_days)} remote days"
    hours = plan.arrangement.hours
    if hours is not None and reach.within_hours is not None:
        line += f"; {reach.within_hours} of them within the promised {hours[0]:%H:%M}–{hours[1]:%H:%M}"
    return line


def questions_line(figures: Figures) -> str:
    """The manager's questions and the member's answers, with the counts behind each share; no questions
    is said in words, never a 0%."""
    answers = figures.reach.answers
    if answers is None:
        return "–"
    if not answers.asked:
        return "No questions asked through remote-wins in these days"
    span = f"{answers.hours[0]:%H:%M}–{answers.hours[1]:%H:%M}"
    hours = f"the promised {span}" if answers.promised else f"working hours ({span})"
    answered, in_hours = share(answers.answered, answers.asked), share(answers.in_hours, answers.asked)
    line = f"{answered} questions answered; {in_hours} within {hours} of the day asked"
    if answers.median is not None:
        kind = "promised" if answers.promised else "working"
        line += (
            f"; median {duration(answers.median)} of {kind} time to answer "
            f"({_plural(answers.answered, 'answer')})"
        )
    sides = [(kind, n, fast) for kind, (n, fast) in answers.sides.items() if n]
    if sides:
        line += "; of those asked on " + ", on ".join(
            f"{kind} days {share(fast, n)} within hours" for kind, n, fast in sides
        )
    return line


def plans_line(figures: Figures) -> str:
    if not figures.planned:
        return "No plans posted"
    return f"Plan items done: {share(figures.done, figures.planned)}"


def days_line(figures: Figures) -> str:
    kinds = [k for d, k in figures.kinds.items() if d in figures.period]
    remote, office = kinds.count("remote"), kinds.count("office")
    other = sum(1 for k in kinds if k in ("off", "holiday", "skipped"))
    line = f"{_plural(remote, 'remote day')}, {_plural(office, 'office day')}"
    if other:
        line += f", {other} off, holidays or skipped"
    return line


def trend_line(report: CheckinReport) -> str | None:
    if report.trend is None:
        return None
    since, before = report.trend.since, report.trend.before
    return (
        f"Since the last check-in ({span_words(since.period)}): {wins_line(since)}. "
        f"Before it: {wins_line(before)}"
    )


def baseline_line(baseline: Baseline | None, plan: TrialPlan, esc: Esc = _esc) -> str:
    if baseline is None:
        return "No office-only weeks before the trial to compare with"
    comparison = baseline.comparison
    weeks = _plural(len(baseline.weeks), "office-only week")
    if not comparison.office_days:
        return f"Before the trial ({weeks}): no office days recorded"
    line = (
        f"Before the trial ({weeks}, {span_words(baseline.period)}): {_mean(comparison.office_rate)} "
        "wins logged "
        f"per office day ({comparison.office_wins} on {_plural(comparison.office_days, 'day')})"
    )
    keys = {m.key: m for m in plan.metrics}
    extra = []
    for rates in baseline.metrics:
        metric = keys.get(" ".join(rates.name.split()).casefold())
        if metric is not None and rates.office is not None:
            extra.append(
                f"{esc(metric.name)} {amount(rates.office, metric.unit)} a day on "
                f"{_plural(rates.office_days, 'day')}"
            )
    return line + ("; " + "; ".join(extra) if extra else "")


def figure_lines(report: CheckinReport, plan: TrialPlan, esc: Esc = _esc) -> list[tuple[str, str]]:
    """(label, line) for every figure of a check-in, in reading order."""
    f = report.figures
    lines = [
        ("Days", days_line(f)),
        ("Wins", wins_line(f.comparison)),
        ("Plans", plans_line(f)),
    ]
    lines += [("Metric", metric_line(m, esc)) for m in f.metrics]
    lines += [("Hours", times_line(f)), ("Reachable", reach_line(f, plan)), ("Questions", questions_line(f))]
    trend = trend_line(report)
    if trend:
        lines.append(("Trend", trend))
    lines.append(("Before the trial", baseline_line(report.baseline, plan, esc)))
    return lines


# -- the modal -----------------------------------------------------------------------------------------------


def trial_form(
    *,
    today: date,
    remote_days: frozenset[int],
    hours: tuple[time, time] | None,
    metrics: Sequence[MetricDef],
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The trial modal, prefilled from the member's settings: their remote days and working hours, all
    their metrics ticked."""
    weekdays = [option(str(d), WEEKDAYS[d].title()) for d in range(7)]
    chosen = [weekdays[d] for d in sorted(remote_days)]
    days: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": weekdays}
    if chosen:
        days["initial_options"] = chosen
    start_at = {"type": "timepicker", "action_id": "value"}
    end_at = {"type": "timepicker", "action_id": "value"}
    if hours:
        start_at["initial_time"], end_at["initial_time"] = f"{hours[0]:%H:%M}", f"{hours[1]:%H:%M}"
    blocks = [
        section(
            "Propose a remote-work trial. Your manager gets the proposal with *Accept* and *Discuss*; "
            "the trial runs either way, and the record says which."
        ),
        input_block(
            "start",
            "Start date",
            {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()},
            hint="It may be in the past",
        ),
        input_block(
            "length",
            "Length in days",
            {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "initial_value": str(DEFAULT_LENGTH),
                "min_value": "7",
                "max_value": "366",
            },
        ),
        input_block(
            "checkins",
            "Check-ins after these days",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "initial_value": ", ".join(map(str, DEFAULT_CHECKINS)),
                "max_length": 100,
            },
            hint="The last day of the trial is always one",
        ),
        input_block("remote_days", "Remote weekdays", days),
        input_block("hours_start", "Reachable from", start_at, optional=True),
        input_block("hours_end", "Reachable until", end_at, optional=True),
        input_block(
            "reach_via",
            "How to reach you",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "initial_value": "Slack DM",
                "max_length": MAX_REACH,
            },
            optional=True,
        ),
    ]
    if metrics:
        options = [option(m.name, _option_label(m)) for m in metrics]
        blocks.append(
            input_block(
                "metrics",
                "Metrics that count, with their targets",
                {"type": "checkboxes", "action_id": "value", "options": options, "initial_options": options},
                optional=True,
            )
        )
    else:
        blocks.append(
            context(
                "You have no metrics yet. Add them first (`/remote-win metric add tickets closed, count, "
                "at least 12 a week`) to hold the trial to targets."
            )
        )
    return {
        "type": "modal",
        "callback_id": FORM,
        "title": plain_text("Remote-work trial"),
        "submit": plain_text("Propose"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def _option_label(metric: MetricDef) -> str:
    target = metric.target_words()
    label = metric.name + (f": {target}" if target else "")
    return label if len(label) <= 75 else label[:74] + "…"


def read_trial_form(view: dict[str, Any]) -> TrialForm:
    values = view.get("state", {}).get("values", {})

    def element(block_id: str) -> dict[str, Any]:
        return (values.get(block_id) or {}).get("value") or {}

    def picked(block_id: str) -> tuple[str, ...]:
        return tuple(str(o.get("value")) for o in element(block_id).get("selected_options") or ())

    return TrialForm(
        start=element("start").get("selected_date"),
        length=element("length").get("value"),
        checkins=element("checkins").get("value"),
        remote_days=picked("remote_days"),
        hours_start=element("hours_start").get("selected_time"),
        hours_end=element("hours_end").get("selected_time"),
        reach_via=element("reach_via").get("value"),
        metrics=picked("metrics"),
    )


# -- messages ------------------------------------------------------------------------------------------------


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def trial_started_message(
    plan: TrialPlan, manager: str | None, passed: Sequence[int], settings_days: frozenset[int]
) -> Message:
    """To the member: the trial as recorded, where the proposal went, and what won't come."""
    blocks = [section(f":rocket: *Your remote-work trial is recorded.*\n{_bullets(trial_lines(plan))}")]
    if manager:
        blocks.append(
            context(
                f"The proposal went to your manager <@{mrkdwn(manager)}>, with Accept and Discuss. The "
                "trial runs either way."
            )
        )
    else:
        blocks.append(
            context(
                "You name no manager, so the proposal went to nobody (`/remote-win manager @person`). "
                "The trial runs."
            )
        )
    if passed:
        blocks.append(
            context(
                f"Check-ins after days {', '.join(map(str, passed))} were already past, so they won't "
                "come; `/remote-win export` shows any range."
            )
        )
    if settings_days != plan.arrangement.remote_days:
        days = ",".join(WEEKDAYS[d] for d in sorted(plan.arrangement.remote_days))
        blocks.append(
            context(
                f"Your prompts follow your own remote days; to match the trial: `/remote-win days {days}`."
            )
        )
    return {"text": "Your remote-work trial is recorded", "blocks": blocks}


def proposal_message(member: str, plan: TrialPlan, trial_id: int, baseline: Baseline | None) -> Message:
    """To the manager: the proposal, the baseline, and Accept / Discuss."""
    who = f"<@{mrkdwn(member)}>"
    blocks = [
        section(f":clipboard: {who} proposes a remote-work trial:\n{_bullets(trial_lines(plan))}"),
        context(baseline_line(baseline, plan)),
        context(
            "Check-ins come to you when they share them. The trial runs whatever you answer; your answer "
            "is recorded."
        ),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ACCEPT,
                    "style": "primary",
                    "text": plain_text("Accept"),
                    "value": str(trial_id),
                },
                {
                    "type": "button",
                    "action_id": DISCUSS,
                    "text": plain_text("Discuss"),
                    "value": str(trial_id),
                },
            ],
        },
    ]
    return {"text": "A remote-work trial proposal", "blocks": blocks}


def answered_blocks(blocks: Sequence[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    """A message as sent, its buttons replaced by what was answered."""
    out = [b for b in blocks if b.get("type") != "actions"]
    return [*out, context(words)]


def when_words(at: datetime, tz: str) -> str:
    local = at.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} ({tz})"


def proposal_answer_notice(manager: str, response: str) -> Message:
    text = f"Your manager <@{mrkdwn(manager)}> {RESPONSE_WORDS[response]} your remote-work trial."
    if response == "discuss":
        text += " The trial runs meanwhile; talk it through with them."
    return {"text": text, "blocks": [section(text)]}


def trial_summary_message(
    trial_plan: TrialPlan,
    today: date,
    response: str | None,
    manager: str | None,
    checkins: Sequence[Any],
    tz: str,
) -> Message:
    """`trial show`: the trial, the manager's answer, and each check-in with what came of it."""
    answer = "no manager named"
    if manager:
        answer = f"<@{mrkdwn(manager)}> " + (RESPONSE_WORDS[response] if response else "hasn't answered yet")
    lines = [*trial_lines(trial_plan), f"Proposal: {answer}"]
    for c in checkins:
        state = {
            "passed": "already past when the trial was recorded",
            "cancelled": "cancelled (the trial ended early)",
        }.get(c.state)
        if state is None:
            if c.member_claimed_at is None:
                state = f"due {when_words(c.due_at, tz)}"
            elif c.shared_at is None:
                state = "sent to you; not shared yet"
            elif c.decision:
                state = f"shared; {DECISION_WORDS[c.decision]}" + (
                    f": “{shown(c.note, 300)}”" if c.note else ""
                )
            else:
                state = "shared with your manager"
        lines.append(f"{'Final check-in' if c.final else 'Check-in'} after day {c.day}: {state}")
    running = trial_plan.ended_on is None and today <= trial_plan.planned_last
    title = "Your remote-work trial" + ("" if running else " (over)")
    return {
        "text": title,
        "blocks": [
            section(f"*{title}*\n{_bullets(lines)}"),
            context("`/remote-win export` makes the evidence pack; `trial end` ends the trial early."),
        ],
    }


def checkin_messages(
    report: CheckinReport,
    plan: TrialPlan,
    *,
    member: str,
    checkin_id: int,
    for_manager: bool,
    decision: str | None = None,
) -> list[Message]:
    """A check-in: the member's copy (with Share) or the manager's (with Continue / Adjust / Let's talk)."""
    covered = report.figures.period
    which = f"{'Final check-in' if report.final else 'Check-in'} after day {report.day}"
    who = f"<@{mrkdwn(member)}>'s remote-work trial" if for_manager else "Your remote-work trial"
    title = f"{who}: {which.lower() if for_manager else which} of {plan.length} ({span_words(covered)})"
    lines = [f"*{label}:* {text}" for label, text in figure_lines(report, plan)]
    sections, left = line_sections(lines, blocks=40, chars=8000)
    blocks = [section(f":bar_chart: *{title}*"), *sections]
    if left:
        blocks.append(context(f"{left} more lines in the evidence pack (`/remote-win export`)."))
    if for_manager:
        blocks.append(context("Private wins are left out. Your choice and any note go to them."))
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CONTINUE,
                        "style": "primary",
                        "text": plain_text("Continue"),
                        "value": str(checkin_id),
                    },
                    {
                        "type": "button",
                        "action_id": ADJUST,
                        "text": plain_text("Adjust…"),
                        "value": str(checkin_id),
                    },
                    {
                        "type": "button",
                        "action_id": TALK,
                        "text": plain_text("Let's talk"),
                        "value": str(checkin_id),
                    },
                ],
            }
        )
    else:
        blocks.append(
            context(
                "Private wins are left out: this is what your manager sees when you share it. A chart is "
                "in the thread."
            )
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SHARE,
                        "style": "primary",
                        "text": plain_text("Share with my manager"),
                        "value": str(checkin_id),
                    }
                ],
            }
        )
    text = f"{which} of the remote-work trial ({span_words(covered)})"
    return [{"text": text, "blocks": blocks}]


def shared_words(manager: str, due: datetime | None, now: datetime, tz: str) -> str:
    if due is None or due <= now:
        return f":white_check_mark: Shared with <@{mrkdwn(manager)}>."
    return (
        f":white_check_mark: Shared with <@{mrkdwn(manager)}>; it reaches them at the start of their "
        f"working day, {when_words(due, tz)}."
    )


def decision_notice(manager: str, decision: str, note: str | None, day: int, final: bool) -> Message:
    which = "final check-in" if final else f"day-{day} check-in"
    text = f"Your manager <@{mrkdwn(manager)}> answered your {which}: *{DECISION_WORDS[decision]}*."
    blocks = [section(text)]
    if note:
        blocks.append(section("> " + shown(" ".join(note.split()), NOTE_LIMIT)))
    return {"text": f"Your manager answered your {which}: {DECISION_WORDS[decision]}", "blocks": blocks}


def adjust_form(checkin_id: int, member_name: str) -> dict[str, Any]:
    note = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": NOTE_LIMIT}
    return {
        "type": "modal",
        "callback_id": ADJUST_FORM,
        "title": plain_text("Adjust the trial"),
        "submit": plain_text("Send"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps({"checkin_id": checkin_id}),
        "blocks": [
            section(
                f"Your note goes to *{shown(member_name, NAME_LIMIT)}* with your choice, *Adjust*, and "
                "is kept with the check-in."
            ),
            input_block("note", "What to adjust", note),
        ],
    }


def overwork_message(note: Overwork) -> Message:
    remote, office = note.remote, note.office
    text = (
        f":hourglass: Over the last two weeks ({span_words(note.period)}) your remote days ran "
        f"{note.longer_by:.0%} longer than your office days: {duration(remote.length)} on average over "
        f"{_plural(remote.lengths, 'remote day')} against {duration(office.length)} over "
        f"{_plural(office.lengths, 'office day')} (from your first plan or win to your sign-off or last win)."
    )
    return {
        "text": "Your remote days are running long",
        "blocks": [
            section(text),
            section(
                "Working longer to prove a point is a warning sign, not evidence: the trial counts what "
                "you get done, not the hours."
            ),
            context(
                "Only you get this note; your manager never sees it. `/remote-win overwork off` stops "
                "these notes."
            ),
        ],
    }


def trial_status(plan: TrialPlan, checkins: Sequence[Any], today: date) -> str | None:
    """The Home's one line (our own words): the trial's day and its next check-in, or that it is over."""
    if today > plan.last_day + timedelta(days=CHECKIN_SEARCH_DAYS):
        return None
    if today < plan.start:
        return f":calendar: Your remote-work trial starts {day_words(plan.start)}."
    if today > plan.last_day:
        return (
            ":checkered_flag: Your remote-work trial is over. `/remote-win export` makes the evidence pack."
        )
    day = plan.day_number(today)
    upcoming = [
        c for c in checkins if c.state == "due" and c.local_date >= today and c.member_claimed_at is None
    ]
    nxt = f" · next check-in {day_words(upcoming[0].local_date)}" if upcoming else ""
    return f":test_tube: Remote-work trial: day {day} of {plan.length}{nxt} · `/remote-win trial show`"
