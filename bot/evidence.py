"""The evidence pack: a one-page summary (HTML, or Markdown) and every win as CSV, for the review meeting.

Gathered in one read-only session (`gather`), rendered without Slack (`html_page`, `markdown_page`,
`csv_file`), and in Slack uploaded to the member's DM (`send_pack`: a message, then both files in its
thread, through the files upload API as the digest's chart). `remote-wins export` prints the same files.

The page is self-contained: its styles are inline and the chart is a PNG inlined as a `data:` URI, so it
opens anywhere, offline, and prints on one A4 or Letter page (the layout is sized for the smaller of the
two: 210 x 279 mm). Its figures are rules/trial.py's, in the same words as the check-ins
(bot.blocks.trial.figure_lines), with user text escaped for HTML. What it covers and leaves out:
rules/evidence.py.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.escape import cut, mrkdwn, one_line
from bot.blocks.trial import (
    DECISION_WORDS,
    RESPONSE_WORDS,
    arrangement_words,
    day_words,
    figure_lines,
    span_words,
)
from bot.blocks.wins import Message, notice_message
from bot.directory import member_for
from bot.services import Services
from rules.calendar import DateRange, local_today, zone
from rules.evidence import best_wins, csv_text, export_range
from rules.trial import (
    BASELINE_WEEKS,
    Arrangement,
    Baseline,
    CheckinReport,
    Figures,
    TrialPlan,
    baseline,
    figures,
)
from rules.wins import SavedWin, shown_number
from storage.metrics import metrics_of
from storage.models import Member, Win
from storage.trials import SavedTrial, latest_trial, member_report, trial_inputs
from storage.wins import wins_between

log = logging.getLogger(__name__)
WIN_SHOWN = 220  # a best win's text on the page, cut with … (the page shows one line of it)
NOTE_SHOWN = 300
NAME_SHOWN = 60  # a metric's name or how to reach the member, in the page's figures


@dataclass(frozen=True)
class Evidence:
    """Everything the pack shows, read at `generated`."""

    name: str
    tz: str
    period: DateRange  # the days its figures cover
    listed: DateRange  # the days its CSV lists
    plan: TrialPlan  # the trial's, or the member's arrangement over `period`
    trial: SavedTrial | None
    names: dict[str, str]  # user id -> display name, for the managers who answered
    figures: Figures
    baseline: Baseline | None
    best: dict[str, list[SavedWin]]
    wins: list[SavedWin]  # shared wins dated in `listed`
    logged_at: dict[int, datetime]
    private_left_out: int
    generated: datetime

    @property
    def report(self) -> CheckinReport:
        return CheckinReport(self.period.days, True, self.figures, None, self.baseline)


def gather(
    session: Session,
    member_id: int,
    first: date | None,
    last: date | None,
    now: datetime,
    trial: SavedTrial | None = None,
) -> Evidence:
    """The pack for `first`..`last` (both or neither), else the latest trial, else the last 90 days."""
    report = member_report(session, member_id)
    member = session.get(Member, member_id)
    assert member is not None
    today = local_today(now, report.tz)
    trial = trial or latest_trial(session, member_id)
    trial_days = DateRange(trial.plan.start, trial.plan.last_day) if trial else None
    period = export_range(first, last, trial_days, today)
    listed = DateRange(first, last) if first and last else DateRange(period.first, max(period.last, today))
    if trial is not None:
        plan = trial.plan
    else:
        mine = tuple(m.metric for m in metrics_of(session, member_id))
        plan = TrialPlan(period.first, Arrangement(report.remote_weekdays), period.days, (period.days,), mine)
    inputs = trial_inputs(
        session,
        member_id,
        plan,
        min(plan.start, period.first) - timedelta(weeks=BASELINE_WEEKS + 1),
        period.last,
    )
    everything = wins_between(session, member_id, listed)
    shared = [w for w in everything if not w.private]
    created = (
        dict(session.execute(select(Win.id, Win.created_at).where(Win.id.in_([w.id for w in shared]))).all())
        if shared
        else {}
    )
    managers = {c.manager_user_id for c in trial.checkins if c.manager_user_id} if trial else set()
    if trial and trial.manager_user_id:
        managers.add(trial.manager_user_id)
    names = (
        dict(
            session.execute(
                select(Member.user_id, Member.display_name).where(
                    Member.workspace_id == member.workspace_id, Member.user_id.in_(sorted(managers))
                )
            ).all()
        )
        if managers
        else {}
    )
    return Evidence(
        name=report.name,
        tz=report.tz,
        period=period,
        listed=listed,
        plan=plan,
        trial=trial,
        names={user: name or user for user, name in names.items()},
        figures=figures(inputs, period),
        baseline=baseline(inputs) if trial is not None else None,
        best=best_wins(w for w in shared if w.local_date in period),
        wins=shared,
        logged_at=created,
        private_left_out=len(everything) - len(shared),
        generated=now,
    )


# -- the words they share ------------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.2f}"


def headline(evidence: Evidence) -> list[tuple[str, str]]:
    """(figure, what it is): the four numbers at the top of the page."""
    c = evidence.figures.comparison
    done = evidence.figures.completion
    return [
        (_rate(c.remote_rate), f"wins logged per remote day ({c.remote_days} days)"),
        (
            _rate(c.office_rate) if c.office_days else "–",
            f"per office day ({c.office_days} days)"
            if c.office_days
            else "no office days to compare against",
        ),
        (
            f"{done:.0%}" if done is not None else "–",
            "of planned items done" if done is not None else "no plans posted",
        ),
        _targets(evidence),
    ]


def _targets(evidence: Evidence) -> tuple[str, str]:
    """How many metric targets were met, of those with a verdict; the rest said as such, never as missed."""
    judged = [m for m in evidence.figures.metrics if m.met is not None]
    open_ = len(evidence.figures.metrics) - len(judged)
    if not evidence.figures.metrics:
        return "–", "no metrics in the trial"
    tail = f" ({open_} without data or target)" if open_ else ""
    met = sum(1 for m in judged if m.met)
    return str(met), f"of {len(judged)} metric target{'s' * (len(judged) != 1)} met{tail}"


def _who(evidence: Evidence, user: str | None) -> str:
    return evidence.names.get(user or "", user or "nobody")


def intro(evidence: Evidence) -> str:
    """One sentence on what the page covers (plain text; the caller escapes it)."""
    period = span_words(evidence.period)
    trial = evidence.trial
    if trial is None:
        return f"{period}, in {evidence.tz}. No trial recorded: the figures cover these days."
    plan = trial.plan
    answer = "proposed to nobody (no manager named)"
    if trial.manager_user_id:
        verb = RESPONSE_WORDS[trial.response] if trial.response else "has not answered"
        when = (
            f" on {day_words(trial.responded_at.astimezone(zone(evidence.tz)).date())}"
            if trial.responded_at
            else ""
        )
        answer = f"proposed to {_who(evidence, trial.manager_user_id)}, who {verb}{when}"
    ended = f", ended early on {day_words(plan.ended_on)}" if plan.ended_on else ""
    return (
        f"Remote-work trial from {day_words(plan.start)}, {plan.length} days{ended}: "
        f"{arrangement_words(plan, lambda text: text)}; {answer}. "
        f"Figures over {period} (the days that are over), in {evidence.tz}."
    )


def checkin_rows(evidence: Evidence) -> list[tuple[str, str, str]]:
    """(check-in, who answered, the answer and note) for each check-in that was shared."""
    rows = []
    for c in evidence.trial.checkins if evidence.trial else ():
        if c.state != "due" or c.member_claimed_at is None:
            continue
        which = f"Day {c.day}{' (final)' if c.final else ''}"
        if c.shared_at is None:
            rows.append((which, "", "not shared"))
            continue
        answer = DECISION_WORDS[c.decision] if c.decision else "no answer yet"
        if c.note:
            answer += f": “{' '.join(c.note.split())[:NOTE_SHOWN]}”"
        rows.append((which, _who(evidence, c.manager_user_id), answer))
    return rows


def _win_words(win: SavedWin) -> str:
    extra = (
        [f"{win.local_date:%a} {win.local_date.day} {win.local_date:%b}", win.day_kind]
        if win.day_kind != "unknown"
        else [f"{win.local_date:%a} {win.local_date.day} {win.local_date:%b}"]
    )
    if win.metric_name and win.metric_value is not None:
        extra.append(f"{win.metric_name}: {shown_number(win.metric_value)}")
    return f"{cut(one_line(win.text), WIN_SHOWN)} ({', '.join(extra)})"


def footer(evidence: Evidence) -> str:
    left = f" {evidence.private_left_out} private wins are left out." if evidence.private_left_out else ""
    local = evidence.generated.astimezone(zone(evidence.tz))
    return (
        "Wins per day count the wins logged by the member (not ticked plan items) over every remote and "
        "office day, a day without a win included; days off, holidays and skipped days are neither. A metric "
        f"is the mean of its day values over the days it was logged.{left} Made by remote-wins on "
        f"{local:%a} {local.day} {local:%b %Y %H:%M} ({evidence.tz})."
    )


# -- HTML -------------------------------------------------------------------------------------------------

_STYLE = """
@page { margin: 12mm; }
* { box-sizing: border-box; }
body { font: 8.5pt/1.25 -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; color: #1b1f23;
  margin: 0; max-width: 186mm; overflow-wrap: anywhere; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
h2 { font-size: 10pt; margin: 2mm 0 1mm; border-bottom: 1px solid #d0d7de; padding-bottom: .5mm; }
p, ul { margin: 0 0 1mm; }
ul { padding-left: 4mm; }
li { margin: 0 0 .3mm; }
.intro { color: #57606a; }
.numbers { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 2mm 0; }
.number { border: 1px solid #d0d7de; border-radius: 2mm; padding: 1mm 2mm; }
.number b { display: block; font-size: 14pt; }
.number span { color: #57606a; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { text-align: left; border-bottom: 1px solid #eaeef2; padding: .5mm 1.5mm .5mm 0; }
img { display: block; width: 100%; height: 40mm; object-fit: contain; margin: 1mm 0; }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 4mm; }
footer { color: #57606a; font-size: 7pt; margin-top: 2mm; }
/* However long what a member typed, the page stays one page: each piece is held to a number of lines. */
.one, th { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.two, .three, .figures li { overflow: hidden; display: -webkit-box; -webkit-box-orient: vertical; }
.two, .figures li { -webkit-line-clamp: 2; }
.three { -webkit-line-clamp: 3; }
.best { list-style: none; padding: 0; }
@media screen { body { margin: 12mm auto; } }
"""


def _lines(items: int) -> str:
    """How many lines each of `items` may take, as a class: the page holds 12 of them at one line each."""
    return "three" if items <= 4 else "two" if items <= 8 else "one"


def html_page(evidence: Evidence, chart_png: bytes) -> str:
    """The one-pager, self-contained: no file, font or script is fetched from anywhere."""
    e = html.escape
    numbers = "".join(
        f'<div class="number"><b class="one">{e(n)}</b><span class="two">{e(what)}</span></div>'
        for n, what in headline(evidence)
    )
    lines = "".join(
        f"<li><b>{e(label)}:</b> {text}</li>"
        for label, text in figure_lines(
            evidence.report, evidence.plan, lambda text: e(cut(one_line(text), NAME_SHOWN))
        )
    )
    shown = [(category, w) for category, wins in evidence.best.items() for w in wins]
    room = _lines(len(shown))  # the fewer there are, the more of each is shown
    best = (
        "".join(
            f'<li class="{room}"><b>{e(category.title())}</b> · {e(_win_words(w))}</li>'
            for category, w in shown
        )
        or "<li>No wins logged in these days.</li>"
    )
    rows = checkin_rows(evidence)
    room = _lines(len(rows))
    checkins = (
        '<table><col style="width:26%"><col style="width:16%"><col>'
        "<tr><th>Check-in</th><th>Manager</th><th>Answer</th></tr>"
        + "".join(
            f'<tr><td><div class="one">{e(a)}</div></td><td><div class="one">{e(b)}</div></td>'
            f'<td><div class="{room}">{e(c)}</div></td></tr>'
            for a, b, c in rows
        )
        + "</table>"
        if rows
        else "<p>No check-in sent yet.</p>"
    )
    chart = base64.b64encode(chart_png).decode("ascii")
    name = cut(one_line(evidence.name), NAME_SHOWN)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Remote-work evidence: {e(name)}, {e(span_words(evidence.period))}</title>
<style>{_STYLE}</style></head>
<body>
<h1 class="one">Remote-work evidence: {e(evidence.name)}</h1>
<p class="intro three">{e(intro(evidence))}</p>
<div class="numbers">{numbers}</div>
<h2>Remote and office days, before and during</h2>
<ul class="figures">{lines}</ul>
<img alt="Wins logged per day, remote days against office days" src="data:image/png;base64,{chart}">
<div class="cols">
<div><h2>Best wins, by category</h2><ul class="best">{best}</ul></div>
<div><h2>The manager's check-in answers</h2>{checkins}</div>
</div>
<footer class="three">{e(footer(evidence))}</footer>
</body></html>
"""


def markdown_page(evidence: Evidence) -> str:
    """The same page as Markdown (the chart is left to the HTML)."""

    def md(text: str) -> str:
        return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")

    out = [f"# Remote-work evidence: {md(evidence.name)}", "", md(intro(evidence)), ""]
    out += [f"- **{md(n)}** {md(what)}" for n, what in headline(evidence)]
    out += ["", "## Remote and office days, before and during", ""]
    out += [f"- **{label}:** {text}" for label, text in figure_lines(evidence.report, evidence.plan, md)]
    out += ["", "## Best wins, by category", ""]
    for category, wins in evidence.best.items():
        out.append(f"- **{category.title()}**")
        out += [f"  - {md(_win_words(w))}" for w in wins]
    if not evidence.best:
        out.append("- No wins logged in these days.")
    out += ["", "## The manager's check-in answers", ""]
    rows = checkin_rows(evidence)
    out += [f"- {md(a)}: {md(b) + ', ' if b else ''}{md(c)}" for a, b, c in rows] or [
        "- No check-in sent yet."
    ]
    out += ["", md(footer(evidence)), ""]
    return "\n".join(out)


def csv_file(evidence: Evidence) -> str:
    return csv_text(evidence.wins, evidence.logged_at)


def chart_png(evidence: Evidence) -> bytes:
    """The chart: Pillow loads at the first one, not when the process starts."""
    from bot.chart import wins_chart_png

    return wins_chart_png(evidence.figures.chart)


def file_stem(evidence: Evidence) -> str:
    return f"remote-work-evidence-{evidence.period.first.isoformat()}-to-{evidence.period.last.isoformat()}"


# -- in Slack ---------------------------------------------------------------------------------------------


def pack_files(evidence: Evidence) -> list[tuple[str, bytes, str]]:
    """(filename, bytes, title) of the one-pager and the CSV."""
    stem = file_stem(evidence)
    return [
        (
            f"{stem}.html",
            html_page(evidence, chart_png(evidence)).encode("utf-8"),
            "One-page summary (open in a browser, print on one page)",
        ),
        (
            f"{stem}.csv",
            csv_file(evidence).encode("utf-8"),
            f"Every win, {span_words(evidence.listed)} (CSV)",
        ),
    ]


def send_pack(
    services: Services,
    team: str,
    user: str,
    first: date | None,
    last: date | None,
    *,
    extra: Sequence[tuple[str, bytes, str]] = (),
) -> Message:
    """Build the pack and upload it to the member's DM, with the `extra` files (filename, bytes, title) in
    the same upload (`export`'s JSON: bot/privacy.py); the answer says where it is, or why it isn't."""
    member = member_for(services, team, user)
    with services.sessions() as session:
        evidence = gather(session, member.id, first, last, services.clock())
    files = [*pack_files(evidence), *extra]
    intro_text = (
        f":file_folder: Your evidence pack, {span_words(evidence.period)}: a one-page summary to open in a "
        "browser and print, and every win as CSV (private wins left out)."
    )
    if extra:
        intro_text += " Also everything remote-wins keeps about you, private wins included, as JSON."
    try:
        posted = services.client_for(team).chat_postMessage(channel=user, **notice_message(intro_text))
        services.client_for(team).files_upload_v2(
            channel=posted["channel"],
            thread_ts=posted["ts"],
            file_uploads=[{"content": data, "filename": name, "title": title} for name, data, title in files],
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.warning("the evidence pack for %s could not be uploaded: %s", user, code)
        return notice_message(
            f"Slack didn't take the evidence pack (`{mrkdwn(code)}`). Try again in a minute; an operator can "
            "also make it with `remote-wins export`."
        )
    also = " with everything remote-wins keeps about you (JSON)" if extra else ""
    return notice_message(f"Your evidence pack ({span_words(evidence.period)}){also} is in your DM with me.")
