"""A manager's question, answered: the Answer button on the question in the report's DM opens a modal;
the answer goes to the manager who asked, and the moment of the first answer is recorded
(storage/questions.py) for the trial's reachability figures.

Only the member the question was asked to can answer it. The submission records the answer within the
ack budget (errors ride on the ack, nothing typed is lost) and keys it by the view (storage/replays.py),
so a form sent twice passes the answer on once; the DM to the manager goes after the ack, and a refusal
from Slack gives the member their answer back.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import split_shown
from bot.blocks.escape import SECTION_LIMIT, mrkdwn
from bot.blocks.form import form_metadata
from bot.blocks.kit import section
from bot.blocks.questions import ANSWER, ANSWER_FORM, answer_form, answer_message
from bot.blocks.wins import notice_message
from bot.directory import member_for
from bot.listeners.answer import form_result, send_dm
from bot.listeners.forms import not_opened
from bot.services import Services
from rules.questions import SavedQuestion
from storage import questions, replays

log = logging.getLogger(__name__)
NOT_YOURS = "Only the person this question was asked to can answer it."
EMPTY = "Write your answer; it goes to them."


def register(app: App, services: Services) -> None:
    @app.action(ANSWER)
    def answer_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        services.background.submit(open_answer, services, body, str(action.get("value")))

    @app.view(ANSWER_FORM)
    def submit_answer(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_answer(services, ack, body, view)


def _number(value: Any) -> int | None:
    """A question id from a button or metadata: a positive integer the database can hold, else None."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def open_answer(services: Services, body: dict[str, Any], value: str) -> None:
    """The modal, for the member the question was asked to only."""
    team, user = body["team"]["id"], body["user"]["id"]
    question_id = _number(value)
    member = member_for(services, team, user)
    with services.sessions() as session:
        found = questions.question(session, question_id) if question_id is not None else None
    if found is None or found.member_id != member.id:
        send_dm(services, team, user, notice_message(NOT_YOURS))
        return
    try:
        form = answer_form(found, member.tz)
        services.client_for(team).views_open(trigger_id=body["trigger_id"], view=form)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        send_dm(
            services, team, user, notice_message(f"{not_opened('the answer', error)} Press Answer again.")
        )


def handle_answer(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Empty → an error in the modal; someone else's question → likewise; else record, close, and pass it
    on after the ack (once per form)."""
    team, user = body["team"]["id"], body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    text = ((values.get("answer") or {}).get("value") or {}).get("value") or ""
    if not text.strip():
        ack(response_action="errors", errors={"answer": EMPTY})
        return
    question_id = _number(form_metadata(view).get("question_id"))

    def record() -> tuple[SavedQuestion | None, bool]:
        member, now = member_for(services, team, user), services.clock()
        with services.writing(), services.sessions.begin() as session:
            answered = questions.answer(session, question_id, member.id, now) if question_id else None
            if answered is None:
                return None, False
            ref = f"view:{view.get('id') or ''}"
            return answered, replays.first_time(session, team, member.id, replays.ANSWER, ref, now)

    def after(recorded: tuple[SavedQuestion | None, bool]) -> None:
        question, first = recorded
        if question is None or not first:
            log.info("an answer form was submitted again; the answer was passed on once")
            return
        deliver_answer(services, team, user, question, text.strip())

    recorded = form_result(services, ack, record, "answer", later=after)
    if recorded is None:
        return
    if recorded[0] is None:
        ack(response_action="errors", errors={"answer": NOT_YOURS})
        return
    ack()
    services.background.submit(after, recorded)


def deliver_answer(services: Services, team: str, member: str, question: SavedQuestion, answer: str) -> None:
    """DM the manager who asked; the member hears whether it arrived, with their answer back if not."""
    if question.asker_user_id is None:
        gone = "The person who asked has since erased their data, so your answer is recorded but not sent."
        send_dm(services, team, member, notice_message(gone))
        return
    if send_dm(services, team, question.asker_user_id, answer_message(member, question, answer)):
        reached = f"Your answer reached <@{mrkdwn(question.asker_user_id)}>."
        send_dm(services, team, member, notice_message(reached))
        return
    asker = f"<@{mrkdwn(question.asker_user_id)}>"
    kept = f"Slack didn't deliver your answer to {asker}. Here it is, to send again:"
    pieces = [section(piece) for piece in split_shown(answer, SECTION_LIMIT)]
    send_dm(services, team, member, {"text": kept, "blocks": [section(kept), *pieces]})
