"""A manager's question about a report's week: the modal it is typed in (from the digest's "Ask a
question") and the DM that carries it to the report, with its Answer button; the modal the report
answers in, and the answer as the manager reads it. Pure renderers; the
listeners are bot/listeners/digest.py (asking) and bot/listeners/questions.py (answering)."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.digest import day_span, split_shown
from bot.blocks.escape import SECTION_LIMIT, cut, mrkdwn, one_line, shown
from bot.blocks.kit import button, context, input_block, plain_text, section
from bot.blocks.plans import OPTION_TEXT, short_day
from bot.blocks.wins import Message
from rules.calendar import DateRange, zone
from rules.digest import ReportWeek, WeekWin, week_range
from rules.questions import SavedQuestion

ASK_FORM = "digest_ask_form"
ANSWER_FORM = "question_answer_form"
ANSWER_LIMIT = 3000
QUESTION_SHOWN = 2500  # the question quoted in the modal, within a section's 3,000 characters
ANSWER = "question_answer"  # the question's button in the report's DM (bot/listeners/questions.py)
QUESTION_LIMIT = 2000
SELECT_OPTIONS = 100  # Slack's most options in one static_select
QUOTE_LIMIT = 2500  # the quoted win in the question's DM, on one line


def win_option(win: WeekWin) -> dict[str, Any]:
    """A win in a select: plain text (Slack never parses it as markup), on one line, within 75 characters."""
    return {
        "text": plain_text(cut(f"{short_day(win.local_date)}: {one_line(win.text)}", OPTION_TEXT)),
        "value": str(win.id),
    }


def question_modal(report: ReportWeek) -> dict[str, Any]:
    """The manager types a question, and may pick the win it is about (the first 100 of the week)."""
    question = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": QUESTION_LIMIT,
    }
    blocks = [
        section(
            f"Your question goes to *{shown(report.report.name, 80)}* in their DM with remote-wins, "
            f"with your name, about their week {day_span(report.period)}."
        ),
        input_block("question", "Your question", question),
    ]
    wins = report.wins
    if wins:
        select = {
            "type": "static_select",
            "action_id": "value",
            "placeholder": plain_text("Pick a win (optional)"),
            "options": [win_option(w) for w in wins[:SELECT_OPTIONS]],
        }
        blocks.append(input_block("win", "About this win", select, optional=True))
        if len(wins) > SELECT_OPTIONS:
            blocks.append(context(f"The first {SELECT_OPTIONS} of {len(wins)} wins are listed."))
    metadata = {"member_id": report.report.member_id, "week": report.week}
    return {
        "type": "modal",
        "callback_id": ASK_FORM,
        "title": plain_text("Ask a question"),
        "submit": plain_text("Send"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def question_message(
    manager: str, period: DateRange, question: str, win: WeekWin | None, question_id: int | None = None
) -> Message:
    """The question as the report reads it: who asks, the question, and the win it is about, quoted; with
    Answer, whose answer goes back to the manager and is recorded (when) for a trial's check-ins."""
    blocks = [section(f":speech_balloon: <@{manager}> has a question about your week ({day_span(period)}):")]
    blocks += [section(piece) for piece in split_shown(question, SECTION_LIMIT)]
    if win is not None:
        blocks.append(context(f"About your win of {short_day(win.local_date)}:"))
        blocks.append(section(f"> {shown(one_line(win.text), QUOTE_LIMIT)}"))
    if question_id is None:
        blocks.append(context("Reply to them directly; remote-wins only passes the question on."))
    else:
        answer = button(ANSWER, "Answer", str(question_id), "primary")
        blocks.append({"type": "actions", "elements": [answer]})
        blocks.append(
            context(
                "Answer here and it goes to them; when you answered counts in your trial's check-ins "
                "(questions answered within your promised hours)."
            )
        )
    text = f"Your manager has a question about your week: {shown(one_line(question), 200)}"
    return {"text": text, "blocks": blocks}


def _asker(question: SavedQuestion) -> str:
    return f"<@{mrkdwn(question.asker_user_id)}>" if question.asker_user_id else "Your former manager"


def _when(question: SavedQuestion, tz: str) -> str:
    local = question.asked_at.astimezone(zone(tz))
    return f"{short_day(local.date())} {local:%H:%M}"


def answer_form(question: SavedQuestion, tz: str) -> dict[str, Any]:
    """The question quoted, and the answer to type; says so when it was answered before."""
    period = week_range(question.week)
    blocks = [
        section(
            f"{_asker(question)} asked on {_when(question, tz)} about your week "
            f"({short_day(period.first)} – {short_day(period.last)}):"
        ),
        section(f"> {shown(' '.join(question.text.split()), QUESTION_SHOWN)}"),
    ]
    if question.answered_at is not None:
        local = question.answered_at.astimezone(zone(tz))
        blocks.append(
            context(
                f"You answered on {short_day(local.date())} {local:%H:%M}; this answer goes to them too "
                "(your first answer is the one your trial counts)."
            )
        )
    field = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": ANSWER_LIMIT}
    blocks.append(input_block("answer", "Your answer", field))
    return {
        "type": "modal",
        "callback_id": ANSWER_FORM,
        "title": plain_text("Answer"),
        "submit": plain_text("Send"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps({"question_id": question.id}),
        "blocks": blocks,
    }


def answer_message(member: str, question: SavedQuestion, answer: str) -> Message:
    """The answer as the manager reads it, under their question."""
    lead = f":speech_balloon: <@{mrkdwn(member)}> answered your question:"
    blocks = [
        section(lead),
        context(shown(" ".join(question.text.split()), 2900)),
        *[section(piece) for piece in split_shown(answer, SECTION_LIMIT)],
    ]
    return {"text": f"<@{mrkdwn(member)}> answered your question", "blocks": blocks}
