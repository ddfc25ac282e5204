"""The manager's weekly digest as Block Kit: the DM, its continuations in the thread, and the Details modal.

Numbers come first (the team line, then one line per report) so the digest reads in a minute. A long
week never breaks Slack's limits and never loses a win silently: each report shows its first wins (at
most `SHOWN_PER_REPORT`, within a character budget, long ones shortened with …) and says "and N more"
with a "Show all" button, and the messages continue in the digest's thread when a team is larger than
one message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from bot.blocks.escape import (
    HEADER_LIMIT,
    MESSAGE_BLOCKS,
    MESSAGE_TEXT,
    SECTION_LIMIT,
    VIEW_BLOCKS,
    link,
    mrkdwn,
    one_line,
    shown,
)
from bot.blocks.kit import button, context, plain_text, section, text_size
from bot.blocks.wins import Message
from rules.calendar import DateRange, zone
from rules.digest import SHOWN_PER_REPORT, Comparison, Digest, MetricRates, ReportWeek, WeekWin, week_range
from rules.wins import shown_number

Block = dict[str, Any]

ACK, DETAILS, ASK, SHOW_ALL = "digest_ack", "digest_details", "digest_ask", "digest_show_all"
DECLINE = "digest_decline"  # "Not my report": the manager says this member doesn't report to them
# Previous and Next share one actions block, so each needs its own action_id: Slack refuses a view whose
# block repeats one (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
DETAIL_PREVIOUS, DETAIL_NEXT = "digest_detail_previous", "digest_detail_next"
DETAIL_CALLBACK = "digest_detail"
WIN_LINE_LIMIT = 200  # a win's text in the digest itself; Details shows it whole
REPORT_WINS_LIMIT = 1800  # a report's wins in the digest: about a minute's reading for the whole team
NAME_LIMIT = 80
METRICS_SHOWN = 5
BLOCKER_LIMIT = 120
CONTEXT_LIMIT = 2000  # a context element's text, well inside Slack's limit
RESERVE_TEXT = 100  # room for a continuation's "Week …, continued (2 of 3)" line


# -- the buttons' values: written here, read back by the listeners ------------------------------------


def format_report_key(report: ReportWeek, page: int | None = None) -> str:
    """A button's value naming one report's week: "<member id>:<ISO week>", ":<page>" added on Details."""
    return f"{report.report.member_id}:{report.week}" + ("" if page is None else f":{page}")


def parse_report_key(value: str) -> tuple[int, str, int] | None:
    """A value `format_report_key` wrote, with its page (1 without one): (member id, ISO week, page); None
    for anything else, as a button's value comes back from Slack unchecked."""
    parts = value.split(":")
    if len(parts) not in (2, 3) or not parts[0].isdigit() or not all(p.isdigit() for p in parts[2:]):
        return None
    week = parse_week(parts[1])
    if week is None:
        return None
    return int(parts[0]), week, int(parts[2]) if len(parts) == 3 else 1


def parse_week(value: Any) -> str | None:
    """An ISO week from a button (Acknowledge's, the recap's) or metadata, or None when it isn't one."""
    try:
        week_range(str(value))
    except ValueError:
        return None
    return str(value).strip().upper()


# -- small pieces -------------------------------------------------------------------------------------


def decline_confirm() -> dict[str, Any]:
    """Slack's own confirmation dialog before "Not my report" is sent."""
    return {
        "title": plain_text("Not your report?"),
        "text": plain_text(
            "They will no longer name you as their manager, and are told so. Their week leaves your digests."
        ),
        "confirm": plain_text("Not my report"),
        "deny": plain_text("Keep"),
    }


def _decline_button(report: ReportWeek) -> dict[str, Any]:
    return button(DECLINE, "Not my report", format_report_key(report)) | {"confirm": decline_confirm()}


@lru_cache(maxsize=512)
def _day(day: date) -> str:
    """ "Tue 24 Nov"; cached, as every report repeats the week's seven days."""
    return f"{day:%a} {day.day} {day:%b}"


def _span(period: DateRange) -> str:
    first, last = period.first, period.last
    start = f"{first.day} {first:%b}" + ("" if first.year == last.year else f" {first.year}")
    return f"{start} – {last.day} {last:%b} {last.year}"


def day_span(period: DateRange) -> str:
    """ "Mon 23 Nov – Sun 29 Nov": a week as a report's DMs and the recap's modal name it."""
    return f"{_day(period.first)} – {_day(period.last)}"


def _short_span(period: DateRange) -> str:
    """ "27 Nov – 4 Dec": a modal title's 24 characters hold it."""
    first, last = period.first, period.last
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _percent(done: int, planned: int) -> str:
    return f"{round(100 * done / planned)}%"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _plans(done: int, planned: int, in_progress: int = 0) -> str:
    """Completion over the plans whose day is over; a plan whose day is still going is only "in progress"."""
    going = _plural(in_progress, "plan") + " in progress" if in_progress else ""
    if not planned:
        return going or "no plans"
    return f"plans {done} of {planned} done ({_percent(done, planned)})" + (f", {going}" if going else "")


_KIND_WORDS = {"remote": "remote day", "office": "office day", "off": "day off", "skipped": "plan skipped"}


def _kind_words(kind: str) -> str:
    """How a day's kind reads next to its date ("" for unknown): "remote day", "day off", "holiday"."""
    return _KIND_WORDS.get(kind, "" if kind == "unknown" else kind)


def _name(report: ReportWeek, limit: int = NAME_LIMIT) -> str:
    return shown(report.report.name, limit)


def _trailer(win: WeekWin) -> str:
    parts = [win.day_kind] if win.day_kind in ("remote", "office") else []
    parts.append(win.category if win.logged else f"{win.category}, a ticked plan item")
    if win.metric_name and win.metric_value is not None:
        parts.append(f"{shown(win.metric_name, NAME_LIMIT)}: {shown_number(win.metric_value)}")
    return " · ".join(parts)


def _local(at: datetime, tz: str) -> datetime:
    return at.astimezone(zone(tz))


# -- the numbers -------------------------------------------------------------------------------------


def _mean(value: float) -> str:
    """A per-day figure: one decimal, two below 1 so that a small mean does not read as 0.0."""
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.2f}"


def _metric(metric: MetricRates, escape: bool) -> str:
    """ "tickets closed 4.5 on 6 remote days vs 3.0 on 4 office days"; a side without data says so."""
    name = shown(metric.name, NAME_LIMIT) if escape else metric.name
    sides = [
        f"{_mean(value)} on {_plural(days, kind + ' day')}" if value is not None else f"no {kind} days logged"
        for kind, value, days in (
            ("remote", metric.remote, metric.remote_days),
            ("office", metric.office, metric.office_days),
        )
    ]
    return f"{name} {sides[0]} vs {sides[1]}"


def _comparison(comparison: Comparison, *, escape: bool = True, most: int | None = METRICS_SHOWN) -> str:
    """ "Over 3 remote and 2 office days (2 Nov – 27 Nov 2026): 1.7 wins logged per remote day, 0.5 per
    office day", then each metric's mean per day it was logged. Says what it covers, never a 0 for no data.

    `escape` is False only for the plain-text preview; `most` caps the metrics listed (None: all).
    """
    remote, office, span = comparison.remote_days, comparison.office_days, _span(comparison.period)
    if not remote and not office:
        return "No remote or office days to compare yet"
    if remote and office:
        over = f"Over {remote} remote and {_plural(office, 'office day')}"
    else:
        over = f"Over {_plural(remote or office, 'remote day' if remote else 'office day')}, "
        over += "no office days" if remote else "no remote days"
    if not comparison.remote_wins and not comparison.office_wins:
        return f"{over} ({span}): no wins logged to compare yet"
    rates = []
    if remote:
        rates.append(f"{_rate(comparison.remote_rate)} wins logged per remote day")
    if office:
        rates.append(f"{_rate(comparison.office_rate)} {'per' if remote else 'wins logged per'} office day")
    line = f"{over} ({span}): {', '.join(rates)}"
    metrics = [_metric(m, escape) for m in comparison.metrics]
    if metrics:
        listed = metrics if most is None else metrics[:most]
        line += ". Per day logged: " + "; ".join(listed)
        if len(metrics) > len(listed):
            line += f"; and {_plural(len(metrics) - len(listed), 'more metric')}"
    return line


def _from_plans(count: int) -> str:
    """Of the wins shown, those made from ticked plan items: "2 from ticked plan items"."""
    return f"{count} from {'a ticked plan item' if count == 1 else 'ticked plan items'}"


def headline(report: ReportWeek) -> str:
    """ "5 wins (2 from ticked plan items) · remote days: Tue, Wed · plans 3 of 4 done (75%)"."""
    name = (lambda d: f"{d:%a}") if report.period.days <= 7 else _day
    remote = ", ".join(name(d) for d in report.remote_days) or "none"
    wins = _plural(report.win_count, "win")
    if report.plan_wins:
        wins += f" ({_from_plans(report.plan_wins)})"
    return f"{wins} · remote days: {remote} · {_plans(report.done, report.planned, report.in_progress)}"


def _sign_offs(report: ReportWeek, *, escape: bool = True) -> str:
    """Each sign-off as the member gave it, under their own day, in their own zone, and marked so:
    "Signed off (Ana's time, Europe/Berlin): Tue 17:30, Wed 18:05"."""
    name = _name(report, 40) if escape else report.report.name
    times = ", ".join(f"{s.day:%a} {s.local}" for s in report.sign_offs)
    return f"Signed off ({name}'s time, {report.report.tz}): {times}"


def team_line(digest: Digest) -> str:
    """The digest's first line: the team's week in numbers."""
    team = digest.team
    parts = [
        _plural(team.reports, "report"),
        _plural(team.remote_days, "remote day"),
        _plural(team.wins, "win") + (f" ({_from_plans(team.plan_wins)})" if team.plan_wins else ""),
        _plans(team.done, team.planned, team.in_progress),
    ]
    if team.quiet:
        parts.append(f"{team.quiet} quiet")
    return " · ".join(parts)


def _fallback(digest: Digest) -> str:
    """The notification text: numbers only, so nothing a member typed reaches a lock screen."""
    return f"Remote day wins, {_span(digest.period)}: {team_line(digest)}"


# -- the digest messages ---------------------------------------------------------------------------------


def _wins_text(report: ReportWeek, budget: int) -> tuple[str, int, int]:
    """The report's first wins by day, within `budget` characters and `SHOWN_PER_REPORT` wins.

    Returns the text, how many wins it shows and how many of those it shortened.
    """
    lines: list[str] = []
    size = shown_count = shortened = 0
    for day in report.days:
        kind = _kind_words(day.kind)
        header = f"*{_day(day.day)}* · {kind}" if kind else f"*{_day(day.day)}*"
        if day.late:
            header += " · _added since your last digest_"
        for index, win in enumerate(day.wins):
            text = one_line(win.text)
            line = f"• {_clip(text, WIN_LINE_LIMIT)}  _({_trailer(win)})_"
            piece = [header, line] if index == 0 else [line]
            cost = sum(len(p) + 1 for p in piece)
            if size + cost > budget or shown_count == SHOWN_PER_REPORT:
                return "\n".join(lines), shown_count, shortened
            lines.extend(piece)
            size += cost
            shown_count += 1
            shortened += len(text) > WIN_LINE_LIMIT or len(mrkdwn(text)) > WIN_LINE_LIMIT
    return "\n".join(lines), shown_count, shortened


def _entity_safe(escaped: str, cut: int) -> int:
    """`cut`, moved back so as not to fall inside `&amp;`, `&lt;` or `&gt;` (5 characters at most)."""
    amp = escaped.rfind("&", max(0, cut - 4), cut)
    return amp if amp != -1 and escaped.find(";", amp, cut) == -1 else cut


def _cut_escaped(escaped: str, limit: int) -> str:
    """Already-escaped text cut to `limit` characters, marked with …, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    return escaped[: _entity_safe(escaped, limit - 1)] + "…"


def _clip(text: str, limit: int) -> str:
    """What `escape.shown` gives, at a cost bounded by `limit` rather than by the text's length."""
    return _cut_escaped(mrkdwn(text[: limit + 1]), limit)


def _report_blocks(report: ReportWeek) -> list[Block]:
    """Three blocks: the numbers and the wins, the comparison and the day's facts, the buttons."""
    head = f"*{_name(report)}* · {headline(report)}"
    wins, count, shortened = _wins_text(report, REPORT_WINS_LIMIT)
    more = report.win_count - count
    text = head + (f"\n{wins}" if wins else "")
    if more:
        text += f"\n_…and {more} more: press “Show all”._"
    facts = [_comparison(report.comparison)]
    if report.sign_offs:
        facts.append(_sign_offs(report))
    if report.blockers:
        cleared = "; ".join(f"{b.day:%a}: {shown(one_line(b.text), BLOCKER_LIMIT)}" for b in report.blockers)
        facts.append(f"Blockers cleared: {cleared}")
    if shortened:
        facts.append(f"{_plural(shortened, 'long win')} shortened with …; Details shows them whole")
    buttons = [
        button(DETAILS, "Details", format_report_key(report)),
        button(ASK, "Ask a question", format_report_key(report)),
    ]
    if more:
        buttons.append(button(SHOW_ALL, f"Show all {report.win_count} wins", format_report_key(report)))
    buttons.append(_decline_button(report))
    return [
        section(text),
        context(_cut_escaped("\n".join(facts), CONTEXT_LIMIT)),
        {"type": "actions", "elements": buttons},
    ]


def _quiet_blocks(digest: Digest) -> list[Block]:
    """One quiet line for everyone who logged nothing: a fact, not a blame list."""
    quiet = digest.quiet
    if not quiet:
        return []
    names = [_name(r) for r in quiet]
    lines, line = [], "Nothing logged this week: "
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else ".")
        if len(line) + len(piece) > CONTEXT_LIMIT:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    return [context(text) for text in lines]


def _top_blocks(digest: Digest) -> list[Block]:
    header = f"Remote day wins · {_span(digest.period)}"
    top = [
        {"type": "header", "text": plain_text(header[:HEADER_LIMIT])},
        section(f"*{team_line(digest)}*\n{_comparison(digest.comparison)}"),
    ]
    if digest.acknowledged_at is not None:
        at = _local(digest.acknowledged_at, digest.manager_tz)
        top.append(context(f":white_check_mark: You acknowledged this week on {_day(at.date())} {at:%H:%M}."))
    else:
        top.append({"type": "actions", "elements": [button(ACK, "Acknowledge", digest.week, "primary")]})
    top.append(context(f"{covers(digest)} · private wins are never shown"))
    return top


def covers(digest: Digest) -> str:
    """What the digest covers, in the manager's words: since the last digest (at the manager's time), or
    the first week; days and sign-off times are each report's own."""
    own = "each report's own dates and times"
    if digest.until is None:
        return f"{_span(digest.period)}, {own}"
    if digest.since is None:
        return f"Everything shared in the past 7 days, {own}"
    at = _local(digest.since, digest.manager_tz)
    return f"Everything shared since your last digest ({_day(at.date())} {at:%H:%M} your time), {own}"


def _pack(
    units: Iterable[list[Block]], first: list[Block], limit: int, reserve: int, text: int | None = None
) -> list[list[Block]]:
    """Fill pages up to `limit` blocks (and, for messages, `text` characters), never splitting a unit;
    pages after the first keep `reserve` blocks and `RESERVE_TEXT` characters free for a "continued" line."""
    pages, sizes = [list(first)], [text_size(first)]
    for unit in units:
        later = len(pages) > 1
        room = limit - (reserve if later else 0)
        size = text_size(unit) if text is not None else 0
        too_long = text is not None and sizes[-1] + size > text - (RESERVE_TEXT if later else 0)
        if len(pages[-1]) + len(unit) > room or too_long:
            pages.append([])
            sizes.append(0)
        pages[-1].extend(unit)
        sizes[-1] += size
    return pages


def digest_messages(digest: Digest) -> list[Message]:
    """The DM (team line, Acknowledge, the first reports) and the messages that continue it in its thread."""
    if not digest.reports:
        text = "No reports share their week with you, so there is no digest this week."
        return [{"text": text, "blocks": [section(text)]}]
    units = [[{"type": "divider"}, *_report_blocks(r)] for r in digest.active]
    quiet = _quiet_blocks(digest)
    units.extend([block] for block in quiet)
    pages = _pack(units, _top_blocks(digest), MESSAGE_BLOCKS, reserve=1, text=MESSAGE_TEXT)
    fallback = _fallback(digest)
    messages = [{"text": fallback, "blocks": pages[0]}]
    for number, page in enumerate(pages[1:], start=2):
        label = f"Remote day wins · {_span(digest.period)}, continued ({number} of {len(pages)})"
        messages.append({"text": f"{fallback} ({number} of {len(pages)})", "blocks": [context(label), *page]})
    return messages


def acknowledged_blocks(blocks: Sequence[Block], at: datetime, tz: str) -> list[Block] | None:
    """The digest as sent, its Acknowledge button replaced by when it was pressed (None: no button)."""
    local = at.astimezone(zone(tz))
    done = context(f":white_check_mark: Acknowledged {_day(local.date())} {local:%H:%M} ({tz}).")
    out, found = [], False
    for block in blocks:
        elements = block.get("elements") or []
        if block.get("type") == "actions" and any(e.get("action_id") == ACK for e in elements):
            found = True
            rest = [e for e in elements if e.get("action_id") != ACK]
            out += [done] + ([{**block, "elements": rest}] if rest else [])
        else:
            out.append(block)
    return out if found else None


# -- the Details ("Show all") modal --------------------------------------------------------------------


def split_shown(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """User text escaped and cut into pieces of at most `limit` characters, losing nothing."""
    escaped, pieces = mrkdwn(text), []
    while len(escaped) > limit:
        cut = _entity_safe(escaped, limit)
        pieces.append(escaped[:cut])
        escaped = escaped[cut:]
    return [*pieces, escaped]


def _win_blocks(win: WeekWin) -> list[Block]:
    trailer = _trailer(win)
    if shown_link := link(win.link):
        trailer += f" · {shown_link}"
    pieces = split_shown(win.text or " ", SECTION_LIMIT)
    last = f"{pieces[-1]}\n_{trailer}_"
    if len(last) <= SECTION_LIMIT:
        return [section(p) for p in pieces[:-1]] + [section(last)]
    return [section(p) for p in pieces] + [context(trailer)]


def _detail_summary(report: ReportWeek) -> list[Block]:
    # The name goes in mrkdwn, escaped: a header is plain text, and nothing a member typed goes unescaped.
    blocks = [
        {"type": "header", "text": plain_text(f"Remote day wins · {_span(report.period)}")},
        section(f"*{_name(report)}* · {headline(report)}\n{_comparison(report.comparison, most=None)}"),
    ]
    if report.sign_offs:
        blocks.append(context(_sign_offs(report)))
    for blocker in report.blockers:
        for piece in split_shown(f"{_day(blocker.day)}, blocker cleared: {blocker.text}", SECTION_LIMIT):
            blocks.append(section(piece))
    return blocks


def _detail_view(report: ReportWeek, blocks: list[Block], page: int, pages: int) -> dict[str, Any]:
    nav = [button(ASK, "Ask a question", format_report_key(report))]
    if page > 1:
        nav.append(button(DETAIL_PREVIOUS, "Previous", format_report_key(report, page - 1)))
    if page < pages:
        nav.append(button(DETAIL_NEXT, "Next", format_report_key(report, page + 1)))
    title = _short_span(report.period) + (f" · {page} of {pages}" if pages > 1 else "")
    metadata = {"member_id": report.report.member_id, "week": report.week, "page": page}
    return {
        "type": "modal",
        "callback_id": DETAIL_CALLBACK,
        "title": plain_text(title[:24]),
        "close": plain_text("Close"),
        "private_metadata": json.dumps(metadata),
        "blocks": [*blocks, {"type": "actions", "elements": nav}],
    }


def digest_detail_views(report: ReportWeek) -> list[dict[str, Any]]:
    """A report's whole week, every win in full, in modals of at most 100 blocks (page 1 opens first)."""
    units: list[list[Block]] = []
    for day in report.days:
        kind = f" · {_kind_words(day.kind)}" if day.kind != "unknown" else ""
        units.append([section(f"*{_day(day.day)}*{kind} · {_plural(len(day.wins), 'win')}")])
        units.extend(_win_blocks(win) for win in day.wins)
    if not report.days:
        units.append([section("No wins shared this week.")])
    missing = report.win_count - len(report.wins)
    if missing:  # Details is loaded whole; this only guards against being handed a digest's excerpt
        units.append([context(f"{_plural(missing, 'more win')} this week, not loaded here.")])
    pages = _pack(units, _detail_summary(report), VIEW_BLOCKS - 1, reserve=0)  # one block for the buttons
    return [_detail_view(report, page, n, len(pages)) for n, page in enumerate(pages, start=1)]


# -- the operator's preview ------------------------------------------------------------------------------


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if i else line for i, line in enumerate(text.splitlines() or [""]))


def digest_text(digest: Digest) -> str:
    """The same digest as plain text, every win whole, for `remote-wins digest preview`."""
    if not digest.reports:
        return f"No reports share their week with {digest.manager_user_id}: no digest for {digest.week}.\n"
    out = [
        f"Remote day wins · {_span(digest.period)} (week {digest.week}) for {digest.manager_user_id}",
        team_line(digest),
        _comparison(digest.comparison, escape=False),
    ]
    if digest.acknowledged_at is not None:
        at = _local(digest.acknowledged_at, digest.manager_tz)
        out.append(f"Acknowledged {_day(at.date())} {at:%H:%M}")
    out.append(f"{covers(digest)}; the manager's zone is {digest.manager_tz}.")
    for report in digest.active:
        out += ["", f"{report.report.name} · {headline(report)}"]
        out.append("  " + _comparison(report.comparison, escape=False, most=None))
        if report.sign_offs:
            out.append("  " + _sign_offs(report, escape=False))
        for blocker in report.blockers:
            out.append(f"  Blocker cleared {_day(blocker.day)}: {_indent(blocker.text, '    ')}")
        for day in report.days:
            kind = f" ({_kind_words(day.kind)})" if day.kind != "unknown" else ""
            late = " · added since the last digest" if day.late else ""
            out.append(f"  {_day(day.day)}{kind}{late}")
            for win in day.wins:
                trailer = _trailer_plain(win)
                out.append(f"    • {_indent(win.text, '      ')}  [{trailer}]")
            if day.count > len(day.wins):
                out.append(f"    • …and {day.count - len(day.wins)} more")
    if digest.quiet:
        out += ["", "Nothing logged this week: " + ", ".join(r.report.name for r in digest.quiet) + "."]
    return "\n".join(out) + "\n"


def _trailer_plain(win: WeekWin) -> str:
    parts = [win.day_kind] if win.day_kind in ("remote", "office") else []
    parts.append(win.category if win.logged else f"{win.category}, a ticked plan item")
    if win.metric_name and win.metric_value is not None:
        parts.append(f"{win.metric_name}: {shown_number(win.metric_value)}")
    if win.link:
        parts.append(win.link)
    return " · ".join(parts)
