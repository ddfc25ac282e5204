"""The trial's modal and buttons: propose a trial, the manager's Accept / Discuss, the member's "Share with
my manager" on a check-in, and the manager's Continue / Adjust (a note, in a modal) / Let's talk.

Buttons ack at once and work after; a modal submission is checked and saved within the ack budget so its
errors ride on the ack (Slack keeps everything typed). Only the people a message is for can answer it:
the manager the proposal or the check-in went to, the member whose check-in it is; anyone else is told so
and nothing changes. Every answer is recorded with when it was given and shown to the member.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks.form import form_metadata
from bot.blocks.trial import (
    ACCEPT,
    ADJUST,
    ADJUST_FORM,
    CONTINUE,
    DECISION_WORDS,
    DISCUSS,
    FORM,
    RESPONSE_WORDS,
    SHARE,
    TALK,
    adjust_form,
    answered_blocks,
    decision_notice,
    proposal_answer_notice,
    read_trial_form,
    shared_words,
    trial_form,
    trial_started_message,
    when_words,
)
from bot.blocks.wins import notice_message
from bot.directory import member_for
from bot.listeners.answer import form_result, send_dm
from bot.listeners.forms import OPEN_ERRORS, not_opened, slack_error, tell
from bot.services import Services
from bot.trials import running_words, start_trial
from rules.calendar import local_today
from rules.trial import validate_trial
from storage import settings as stored_settings
from storage.metrics import metrics_of
from storage.models import Member, Trial
from storage.trials import TrialRunning, checkin_row, decide, manager_copy, respond_to_proposal, share_checkin

log = logging.getLogger(__name__)
NOT_YOURS = "Only the person this message was sent to can answer it."
DECISIONS = {CONTINUE: "continue", TALK: "talk"}


def register(app: App, services: Services) -> None:
    @app.view(FORM)
    def submit_trial(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_trial_form(services, ack, body, view)

    def proposal_answer(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        response = "accepted" if action.get("action_id") == ACCEPT else "discuss"
        services.background.submit(answer_proposal, services, body, str(action.get("value")), response)

    app.action(ACCEPT)(proposal_answer)
    app.action(DISCUSS)(proposal_answer)

    @app.action(SHARE)
    def share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        services.background.submit(share_with_manager, services, body, str(action.get("value")))

    def quick_decision(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        decision = DECISIONS[str(action.get("action_id"))]
        services.background.submit(record_decision, services, body, str(action.get("value")), decision, None)

    app.action(CONTINUE)(quick_decision)
    app.action(TALK)(quick_decision)

    @app.action(ADJUST)
    def adjust(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        services.background.submit(open_adjust, services, body, str(action.get("value")))

    @app.view(ADJUST_FORM)
    def submit_adjust(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_adjust(services, ack, body, view)


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _tell(services: Services, team: str, user: str, text: str) -> None:
    send_dm(services, team, user, notice_message(text))


def _edit(services: Services, body: dict[str, Any], words: str, where: dict[str, Any] | None = None) -> None:
    """The message the button was on, its buttons replaced by what was answered; from a modal (Slack sends
    no copy of the message then), the answer goes in the message's thread instead."""
    container = where or body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    message = body.get("message") or {}
    if not channel or not ts:
        return
    client = services.client_for(body["team"]["id"])
    try:
        if message.get("blocks"):
            blocks = answered_blocks(message["blocks"], words)
            text = message.get("text") or words
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        else:
            client.chat_postMessage(channel=channel, thread_ts=ts, **notice_message(words))
    except SlackApiError as error:
        log.warning("could not update the trial message: %s", error.response.get("error"))


# -- the modal -----------------------------------------------------------------------------------------------


def open_trial_form(
    services: Services, team: str, user: str, trigger_id: str, metadata: dict[str, Any]
) -> None:
    """After the ack: the modal, prefilled from the member's settings and metrics (a local read)."""
    member = member_for(services, team, user)
    with services.sessions() as session:
        settings = stored_settings.settings_of(session, member.id)
        mine = [m.metric for m in metrics_of(session, member.id)]
    view = trial_form(
        today=local_today(services.clock(), member.tz),
        remote_days=settings.remote_days,
        hours=(settings.work_start, settings.work_end),
        metrics=mine,
    )  # nothing rides in the modal: its answer goes to the member's DM
    try:
        services.client_for(team).views_open(trigger_id=trigger_id, view=view)
    except OPEN_ERRORS as error:
        log.warning("views.open failed: %s", slack_error(error))
        why = not_opened("the trial form", error)
        again = "Run `/remote-win trial` again, or start one in a line: `/remote-win trial start`."
        tell(services, team, user, metadata, notice_message(f"{why} {again}"))


def handle_trial_form(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Checked and saved within the budget: errors (and a trial already running) ride on the ack."""
    team, user = _ids(body)
    form = read_trial_form(view)

    def save() -> tuple[Any, dict[str, str]]:
        member = member_for(services, team, user)
        with services.sessions() as session:
            mine = [m.metric for m in metrics_of(session, member.id)]
        plan, errors = validate_trial(form, local_today(services.clock(), member.tz), mine)
        if plan is None:
            return None, errors
        try:
            return start_trial(services, team, user, plan, f"view:{view.get('id')}"), {}
        except TrialRunning as running:
            return None, {"start": running_words(running.trial)}

    result = form_result(services, ack, save, "start")
    if result is None:
        return
    started, errors = result
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    trial, created, own_days = started
    if created:
        passed = [c.day for c in trial.checkins if c.state == "passed"]
        message = trial_started_message(trial.plan, trial.manager_user_id, passed, own_days)
        services.background.submit(send_dm, services, user, message)


# -- Accept / Discuss ----------------------------------------------------------------------------------------


def answer_proposal(services: Services, body: dict[str, Any], value: str, response: str) -> None:
    """The manager the proposal went to answers; the member hears it when the answer changes."""
    team, user = _ids(body)
    trial_id = _number(value)
    if trial_id is None:
        return
    manager = member_for(services, team, user)
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        before = session.get(Trial, trial_id)
        previous = before.response if before is not None else None
        trial = respond_to_proposal(session, trial_id, user, response, now)
        owner = session.get(Member, trial.member_id) if trial is not None else None
    if trial is None or owner is None:
        _tell(services, team, user, NOT_YOURS)
        return
    _edit(services, body, f"You {RESPONSE_WORDS[response]} this trial, {when_words(now, manager.tz)}.")
    if previous != response:
        send_dm(services, team, owner.user_id, proposal_answer_notice(user, response))


# -- Share with my manager -----------------------------------------------------------------------------------


def share_with_manager(services: Services, body: dict[str, Any], value: str) -> None:
    """The member saw their check-in and shares it: the manager's copy is due (see storage.trials)."""
    team, user = _ids(body)
    checkin_id = _number(value)
    if checkin_id is None:
        return
    member = member_for(services, team, user)
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        shared = share_checkin(session, checkin_id, member.id, now)
    if shared is None:
        _tell(services, team, user, NOT_YOURS)
        return
    checkin, _trial, manager = shared
    if manager is None:
        _tell(
            services,
            team,
            user,
            "You name no manager, so there is nobody to share it with: `/remote-win manager @person`, "
            "then press Share again.",
        )
        return
    _edit(services, body, shared_words(manager, checkin.manager_due_at, now, member.tz))


# -- Continue / Adjust / Let's talk ------------------------------------------------------------------------


def decide_now(
    services: Services, team: str, user: str, value: str, decision: str, note: str | None
) -> tuple[Any, str] | None:
    """Record the manager's answer (one short transaction): (the check-in, the member's user id), or None
    for anyone but the manager it was shared with."""
    checkin_id = _number(value)
    if checkin_id is None:
        return None
    member_for(services, team, user)
    with services.writing(), services.sessions.begin() as session:
        decided = decide(session, checkin_id, user, decision, note, services.clock())
        owner = session.get(Member, decided[1].member_id) if decided is not None else None
    if decided is None or owner is None:
        return None
    return decided[0], owner.user_id


def announce_decision(
    services: Services,
    body: dict[str, Any],
    checkin: Any,
    member_user: str,
    decision: str,
    note: str | None,
    where: dict[str, Any] | None = None,
) -> None:
    """Show the answer on the manager's copy, and tell the member, with the note."""
    team, user = _ids(body)
    manager = member_for(services, team, user)
    went = "your note went" if note else "it went"
    when = when_words(services.clock(), manager.tz)
    _edit(services, body, f"You chose *{DECISION_WORDS[decision]}*, {when}; {went} to them.", where)
    send_dm(services, team, member_user, decision_notice(user, decision, note, checkin.day, checkin.final))


def record_decision(
    services: Services, body: dict[str, Any], value: str, decision: str, note: str | None
) -> None:
    """Continue or Let's talk: recorded, shown, told; anyone else is told it isn't theirs."""
    team, user = _ids(body)
    decided = decide_now(services, team, user, value, decision, note)
    if decided is None:
        _tell(services, team, user, NOT_YOURS)
        return
    announce_decision(services, body, decided[0], decided[1], decision, note)


def open_adjust(services: Services, body: dict[str, Any], value: str) -> None:
    """The note's modal, for the manager the check-in was shared with only."""
    team, user = _ids(body)
    checkin_id = _number(value)
    if checkin_id is None:
        return
    with services.sessions() as session:
        found = checkin_row(session, checkin_id)
        owner = session.get(Member, found[1].member_id) if found is not None else None
    if found is None or owner is None or found[0].manager_user_id != user:
        _tell(services, team, user, NOT_YOURS)
        return
    view = adjust_form(checkin_id, owner.display_name or owner.user_id)
    try:
        services.client_for(body["team"]["id"]).views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        _tell(services, team, user, f"{not_opened('the note', error)} Press Adjust again.")


def handle_adjust(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    """A note is needed; it is recorded within the budget, so a failure keeps it in the modal."""
    team, user = _ids(body)
    metadata = form_metadata(view)
    values = view.get("state", {}).get("values", {})
    note = (((values.get("note") or {}).get("value") or {}).get("value") or "").strip()
    if not note:
        ack(
            response_action="errors",
            errors={"note": "Write what to adjust; it goes to them with your choice."},
        )
        return
    value = str(metadata.get("checkin_id"))
    done: tuple[Any, str] | Literal[False] | None = form_result(
        services, ack, lambda: decide_now(services, team, user, value, "adjust", note) or False, "note"
    )
    if done is None:
        return
    if done is False:
        ack(response_action="errors", errors={"note": NOT_YOURS})
        return
    ack()
    checkin, member_user = done
    with services.sessions() as session:  # the manager's copy, as the ledger recorded it: no metadata trusted
        sent = manager_copy(session, checkin)
    where = {"channel_id": sent[0], "message_ts": sent[1]} if sent else {}
    services.background.submit(announce_decision, services, body, checkin, member_user, "adjust", note, where)
