"""The digest's buttons (Acknowledge, Details, Show all, Ask a question) and the recap's (keep wins
private, add a forgotten one), with their modals (drawn by bot/blocks/digest.py, questions.py, recap.py).

Buttons ack at once; modals open after the ack with their data read first (a local read, well inside
the trigger's 3 s). Only the manager a report names sees that report's week: the check is that the
report is among the presser's reports (`storage.digest.reports_of`), so a forwarded button or a
member who stopped sharing opens nothing. Submissions do their check and save within the ack budget,
so errors ride on the ack and nothing typed is lost; messages to other people go after the ack.

"Your manager read your week" is claimed in the delivery ledger per report and week
(`Kind.READ_NOTICE`), in the transaction that records the acknowledgement, so it is sent once
whoever presses, however often, even two presses at once; it goes through the one sender (bot.notices).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import (
    ACK,
    ASK,
    DETAIL_NEXT,
    DETAIL_PREVIOUS,
    DETAILS,
    SHOW_ALL,
    acknowledged_blocks,
    day_span,
    digest_detail_views,
    digest_messages,
    parse_report_key,
    parse_week,
)
from bot.blocks.escape import shown
from bot.blocks.form import form_metadata
from bot.blocks.kit import section
from bot.blocks.questions import ASK_FORM, question_message, question_modal
from bot.blocks.recap import (
    ADD_WIN,
    MARK_PRIVATE,
    PRIVATE_BLOCK,
    PRIVATE_FORM,
    private_done_view,
    private_form,
)
from bot.blocks.wins import Message, notice_message
from bot.directory import member_for
from bot.home import refresh_home
from bot.listeners.answer import form_result, send_dm
from bot.listeners.forms import not_opened, open_new_form
from bot.notices import claim_notice, deliver_notices
from bot.services import Services
from rules.calendar import DateRange
from rules.deliveries import Kind
from rules.digest import ReportWeek, WeekWin, build_digest, week_range
from rules.schedule import DIGEST
from storage import ledger, questions, replays
from storage.digest import acknowledge, digest_inputs, load_digest, reports_of
from storage.members import own_manager
from storage.wins import set_private, wins_between

T = TypeVar("T")
log = logging.getLogger(__name__)

WORKER = "digest_ack"  # the ledger's claimed_by for read notices

NOT_YOURS = "Only the manager this report shares their week with can open it."
EMPTY = "Type your question; it goes to them with your name."
GONE = "They no longer share their week with you, so the question can't be sent."


def register(app: App, services: Services) -> None:
    @app.action(ACK)
    def acknowledge_digest(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        services.background.submit(record_acknowledgement, services, body, str(action.get("value")), respond)

    def details(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        services.background.submit(open_details, services, body, str(action.get("value")), respond)

    app.action(DETAILS)(details)
    app.action(SHOW_ALL)(details)

    def turn_page(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        services.background.submit(show_detail_page, services, body, str(action.get("value")))

    app.action(DETAIL_PREVIOUS)(turn_page)
    app.action(DETAIL_NEXT)(turn_page)

    @app.action(ASK)
    def ask(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        services.background.submit(open_question, services, body, str(action.get("value")), respond)

    @app.view(ASK_FORM)
    def submit_question(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_question(services, ack, body, view)

    @app.action(MARK_PRIVATE)
    def keep_private(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        services.background.submit(open_private_form, services, body, str(action.get("value")))

    @app.view(PRIVATE_FORM)
    def submit_private(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_private(services, ack, body, view)

    @app.action(ADD_WIN)
    def add_forgotten(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        team, user = _ids(body)
        services.background.submit(open_new_form, services, team, user, body["trigger_id"], {})


# -- small helpers -----------------------------------------------------------------------------------------


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def load_report_week(
    services: Services, team: str, presser: str, member_id: int, week: str, *, or_self: bool = False
) -> ReportWeek | None:
    """A report's whole week as the manager sees it (shared wins only), for the manager, or with `or_self`
    for the report themselves too (their recap's Details and Show all); None for anyone else."""
    with services.sessions() as session:
        manager = (or_self and own_manager(session, team, member_id, presser)) or presser
        now = services.clock()
        inputs = digest_inputs(
            session, team, manager, week, now=now, shown_per_report=None, only_member_id=member_id
        )
    if not inputs.reports:
        return None
    return build_digest(inputs).reports[0]


def _tell(services: Services, body: dict[str, Any], respond: Respond | None, text: str) -> None:
    """A short answer to the presser alone: ephemeral under the message, else in their DM."""
    try:
        if respond is not None and body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, **notice_message(text))
        else:
            client = services.client_for(body["team"]["id"])
            client.chat_postMessage(channel=body["user"]["id"], **notice_message(text))
    except Exception:
        log.warning("could not tell %s: %s", body["user"]["id"], text, exc_info=True)


def _open(services: Services, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open the modal, or stack it when the button was pressed inside a modal (Details' "Ask")."""
    client = services.client_for(body["team"]["id"])
    try:
        if body.get("view") and body["view"].get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("opening a modal failed: %s", error.response.get("error"))
        _tell(services, body, None, f"{not_opened('that', error)} Press the button again.")


# -- Acknowledge -------------------------------------------------------------------------------------------


def read_notice(manager: str, period: DateRange) -> Message:
    """What each report gets when their manager acknowledges the digest."""
    text = f":eyes: Your manager <@{manager}> read your week ({day_span(period)}) in their digest."
    return {"text": text, "blocks": [section(text)]}


def record_acknowledgement(services: Services, body: dict[str, Any], value: str, respond: Respond) -> None:
    """Record "seen" once, show it on the message, and tell each report once (see the module's note)."""
    week = parse_week(value)
    if week is None:
        return
    team, user = _ids(body)
    manager = member_for(services, team, user)
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        at = acknowledge(session, team, manager.id, week, now)
        notices = []
        for report in reports_of(session, team, user):
            key = ledger.DeliveryKey(team, report.member_id, Kind.READ_NOTICE, week)
            notice = claim_notice(session, key, report.user_id, now=now, worker=WORKER)
            if notice is not None:
                notices.append(notice)
    _show_acknowledged(services, body, respond, at, manager.tz, week)
    deliver_notices(services, team, notices, read_notice(user, week_range(week)))
    refresh_home(services, team, user)


def _show_acknowledged(
    services: Services, body: dict[str, Any], respond: Respond, at: datetime, tz: str, week: str
) -> None:
    """Edit the digest in place: the message as sent with its button swapped (or, when Slack sent no copy,
    rebuilt from the data, which shows the acknowledgement too)."""
    team, user = _ids(body)
    message = body.get("message") or {}
    blocks = acknowledged_blocks(message.get("blocks") or [], at, tz)
    if blocks is None and message.get("blocks"):
        return  # this copy of the digest already says so
    if blocks is None:  # Slack sent no copy of the message: rebuild it, which shows the acknowledgement
        with services.sessions() as session:
            digest = load_digest(session, team, user, week, now=services.clock())
            blocks = digest_messages(digest)[0]["blocks"]
    text = message.get("text") or f"Remote day wins, week {week}"
    manager = member_for(services, team, user)
    with services.sessions() as session:  # the app's own record of where the digest went, not the payload's
        where_sent = ledger.sent_message(session, manager.id, (DIGEST,), week)
    channel, ts = where_sent or (None, None)
    try:
        if channel and ts:
            services.client_for(team).chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        else:
            respond(replace_original=True, text=text, blocks=blocks)
    except Exception:
        log.warning("could not mark the digest acknowledged", exc_info=True)


# -- Details and Show all ----------------------------------------------------------------------------------


def open_details(services: Services, body: dict[str, Any], value: str, respond: Respond | None) -> None:
    """The report's whole week, first page; for their manager, and for the report from their recap."""
    key = parse_report_key(value)
    if key is None:
        return
    team, user = _ids(body)
    member_id, week, _page = key
    report = load_report_week(services, team, user, member_id, week, or_self=True)
    if report is None:
        _tell(services, body, respond, NOT_YOURS)
        return
    _open(services, body, digest_detail_views(report)[0])


def show_detail_page(services: Services, body: dict[str, Any], value: str) -> None:
    """Previous / Next in the Details modal: the same modal, another page (views.update)."""
    key = parse_report_key(value)
    view_id = (body.get("view") or {}).get("id")
    if key is None or not view_id:
        return
    team, user = _ids(body)
    member_id, week, page = key
    report = load_report_week(services, team, user, member_id, week, or_self=True)
    if report is None:
        return
    pages = digest_detail_views(report)
    try:
        services.client_for(team).views_update(view_id=view_id, view=pages[min(max(page, 1), len(pages)) - 1])
    except SlackApiError as error:
        log.warning("views.update failed: %s", error.response.get("error"))


# -- Ask a question ----------------------------------------------------------------------------------------


def open_question(services: Services, body: dict[str, Any], value: str, respond: Respond | None) -> None:
    key = parse_report_key(value)
    if key is None:
        return
    team, user = _ids(body)
    member_id, week, _page = key
    report = load_report_week(services, team, user, member_id, week)
    if report is None:
        _tell(services, body, respond, NOT_YOURS)
        return
    _open(services, body, question_modal(report))


def _selected(view: dict[str, Any], block_id: str) -> str | None:
    element = (view.get("state", {}).get("values", {}).get(block_id) or {}).get("value") or {}
    option = element.get("selected_option")
    return option.get("value") if option else None


@dataclass(frozen=True)
class QuestionForm:
    """The question modal's submission, checked for what the modal itself can't check."""

    member_id: int
    week: str
    question: str  # stripped
    picked: str | None  # the id of the win it is about, as the select's value
    view_id: str  # the key that makes a second press of Send ask nothing more ("" when Slack sent none)


Checked = tuple[ReportWeek | None, WeekWin | None, bool, int | None]  # report, win, first time, question id


def question_form(view: dict[str, Any]) -> QuestionForm | str:
    """The submission, or the error to show on its question field."""
    values = view.get("state", {}).get("values", {})
    question = ((values.get("question") or {}).get("value") or {}).get("value") or ""
    if not question.strip():
        return EMPTY
    metadata = form_metadata(view)
    week, member_id = parse_week(metadata.get("week")), metadata.get("member_id")
    if week is None or not isinstance(member_id, int):
        return GONE
    return QuestionForm(member_id, week, question.strip(), _selected(view, "win"), str(view.get("id") or ""))


def record_question(services: Services, team: str, manager: str, form: QuestionForm) -> Checked:
    """Within the ack budget: the report's week if they still share it with `manager` (else None), the win
    picked, and the question recorded once per form (first time False: this form was sent before)."""
    report = load_report_week(services, team, manager, form.member_id, form.week)
    if report is None:
        return None, None, True, None
    win = None if form.picked is None else next((w for w in report.wins if str(w.id) == form.picked), None)
    if not form.view_id:
        return report, win, True, None
    with services.writing(), services.sessions.begin() as session:
        ref, now = f"view:{form.view_id}", services.clock()
        first = replays.first_time(session, team, form.member_id, replays.QUESTION, ref, now)
        asked = None
        if first:
            asked = questions.ask(session, team, form.member_id, manager, form.week, form.question, now)
    return report, win, first, asked


def handle_question(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Empty → an error in the modal; not their report any more → likewise; else close, and DM after."""
    team, user = _ids(body)
    form = question_form(view)
    if isinstance(form, str):
        ack(response_action="errors", errors={"question": form})
        return

    def after(checked: Checked) -> None:
        """After the ack, once per form (a check that outran the ack sends all the same)."""
        report, win, first, asked = checked
        if report is None or not first:
            log.info("a question form was submitted again; the question was sent once")
            return
        deliver_question(services, team, user, report, form.question, win, asked)

    checked = form_result(
        services, ack, lambda: record_question(services, team, user, form), "question", later=after
    )
    if checked is None:
        return
    if checked[0] is None:
        ack(response_action="errors", errors={"question": GONE})
        return
    ack()
    services.background.submit(after, checked)


def deliver_question(
    services: Services,
    team: str,
    manager: str,
    report: ReportWeek,
    question: str,
    win: WeekWin | None,
    question_id: int | None = None,
) -> None:
    """DM the report; the manager hears whether it arrived. One Slack didn't deliver is withdrawn: it was
    never asked, so a trial's figures don't count it."""
    name = shown(report.report.name, 80)
    message = question_message(manager, report.period, question, win, question_id)
    if send_dm(services, team, report.report.user_id, message):
        send_dm(services, team, manager, notice_message(f"Your question reached *{name}*."))
    else:
        if question_id is not None:
            with services.writing(), services.sessions.begin() as session:
                questions.withdraw(session, question_id)
        send_dm(
            services,
            team,
            manager,
            notice_message(f"Slack didn't deliver your question to *{name}*. Try again later."),
        )


# -- the recap's buttons -----------------------------------------------------------------------------------


def open_private_form(services: Services, body: dict[str, Any], value: str) -> None:
    week = parse_week(value)
    if week is None:
        return
    team, user = _ids(body)
    member = member_for(services, team, user)
    with services.sessions() as session:
        wins = [w for w in wins_between(session, member.id, week_range(week)) if not w.private]
    _open(services, body, private_form(week, wins))


def ticked_ids(view: dict[str, Any]) -> set[int]:
    """The win ids ticked in every group of the recap's modal."""
    values = view.get("state", {}).get("values", {})
    return {
        int(option["value"])
        for block_id, block in values.items()
        if block_id.startswith(PRIVATE_BLOCK)
        for option in ((block or {}).get("value") or {}).get("selected_options") or ()
        if str(option.get("value", "")).isdigit()
    }


def handle_private(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Mark the ticked wins private (the member's own only) within the budget, and say so in the modal."""
    team, user = _ids(body)
    ids = ticked_ids(view)
    field = next(iter(sorted(view.get("state", {}).get("values", {}))), f"{PRIVATE_BLOCK}0")

    def save() -> int:
        member = member_for(services, team, user)
        with services.writing(), services.sessions.begin() as session:
            return set_private(session, member.id, ids)

    count = form_result(services, ack, save, field)
    if count is None:
        return
    ack(response_action="update", view=private_done_view(count))
    if count:
        refresh_home(services, team, user)
