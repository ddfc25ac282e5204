"""The remote-work trial as the listeners use it: start one (from the modal or the text form), send the
proposal to the manager once, show it, end it, and switch the overwork guard; one short transaction each.

The proposal is claimed in the delivery ledger (kind `trial_proposal`, period the trial's id) before it
is sent, so a retried request or two presses never send it twice; it goes through the one sender
(bot.notices).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.blocks.metrics import problem_message
from bot.blocks.trial import proposal_message, trial_started_message, trial_summary_message
from bot.blocks.wins import Message, notice_message
from bot.directory import member_for
from bot.notices import claim_notice, record_outcomes, send_notices
from bot.services import Services
from rules.calendar import local_today, zone
from rules.deliveries import Kind
from rules.trial import (
    BASELINE_WEEKS,
    EndTrial,
    OverworkGuard,
    ShowTrial,
    StartTrial,
    TrialPlan,
    baseline,
    form_of,
    validate_trial,
)
from storage import ledger
from storage import settings as stored_settings
from storage.metrics import metrics_of
from storage.models import Member
from storage.trials import (
    SavedTrial,
    TrialRunning,
    create_trial,
    end_trial,
    latest_trial,
    record_proposal,
    set_guard,
    trial_inputs,
    trial_of,
)

WORKER = "trial"
log = logging.getLogger(__name__)


def running_words(trial: SavedTrial) -> str:
    return (
        f"You have a trial running since {trial.plan.start:%a %-d %b %Y}. "
        "`/remote-win trial end` ends it; then start the next one."
    )


def start_trial(
    services: Services, team: str, user: str, plan: TrialPlan, ref: str
) -> tuple[SavedTrial, bool, frozenset[int]]:
    """Record the trial (raises TrialRunning); (the trial, whether this request made it, the member's own
    remote days). A trial this request made has its proposal sent after, on the pool."""
    member = member_for(services, team, user)
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        row = session.get(Member, member.id)
        assert row is not None
        manager = row.manager_user_id if row.manager_user_id and row.manager_user_id != user else None
        trial, created = create_trial(session, member.id, plan, manager, ref, now)
        own_days = stored_settings.settings_of(session, member.id).remote_days
    if created:
        services.background.submit(send_proposal, services, trial.id)
    return trial, created, own_days


def send_proposal(services: Services, trial_id: int) -> None:
    """The proposal, with the baseline, to the manager the trial names; once (the ledger), never raises."""
    try:
        now = services.clock()
        with services.writing(), services.sessions.begin() as session:
            trial = trial_of(session, trial_id)
            if trial is None or not trial.manager_user_id:
                return
            client = services.client_for(trial.workspace_id)  # not installed: nothing claimed, nothing sent
            key = ledger.DeliveryKey(trial.workspace_id, trial.member_id, Kind.TRIAL_PROPOSAL, str(trial.id))
            notice = claim_notice(session, key, trial.manager_user_id, now=now, worker=WORKER)
            if notice is None:
                return
            member = session.get(Member, trial.member_id)
            assert member is not None
            first = trial.plan.start - timedelta(weeks=BASELINE_WEEKS + 1)
            inputs = trial_inputs(session, trial.member_id, trial.plan, first, trial.plan.start)
            message = proposal_message(member.user_id, trial.plan, trial.id, baseline(inputs))
        [result] = send_notices(services, trial.workspace_id, [notice], message)
        with services.writing(), services.sessions.begin() as session:
            record_outcomes(session, [notice], [result], services.clock())
            if result.channel and result.ts:
                record_proposal(session, trial.id, result.channel, result.ts)
        if result.error:
            client.chat_postMessage(
                channel=member.user_id,
                **notice_message(
                    f"Slack didn't deliver your trial's proposal to your manager (`{result.error}`)."
                ),
            )
    except Exception:
        log.exception("sending the proposal of trial %s failed", trial_id)


def trial_command(services: Services, team: str, user: str, command: object, typed: str, ref: str) -> Message:
    """`trial start …`, `trial show`, `trial end`, `overwork on|off`."""
    member = member_for(services, team, user)
    now = services.clock()
    today = local_today(now, member.tz)
    if isinstance(command, OverworkGuard):
        with services.writing(), services.sessions.begin() as session:
            set_guard(session, member.id, command.on)
        if command.on:
            return notice_message("The overwork guard is on: a private note when your remote days run long.")
        return notice_message("The overwork guard is off: no more notes about long remote days.")
    if isinstance(command, ShowTrial):
        with services.sessions() as session:
            trial = latest_trial(session, member.id)
        if trial is None:
            return notice_message("You have no trial yet. `/remote-win trial` opens the form.")
        return trial_summary_message(
            trial.plan, today, trial.response, trial.manager_user_id, trial.checkins, member.tz
        )
    if isinstance(command, EndTrial):
        with services.writing(), services.sessions.begin() as session:
            ended = end_trial(session, member.id, now)
        if ended is None:
            return notice_message("You have no trial running.")
        final = next((c for c in ended.checkins if c.final), None)
        when = f", {final.due_at.astimezone(zone(member.tz)):%a %-d %b at %H:%M}" if final else ""
        return notice_message(
            f"Your trial ends today, day {ended.plan.day_number(ended.plan.last_day)}. The final check-in, "
            f"with the whole trial's figures, comes on your next working morning{when}."
        )
    assert isinstance(command, StartTrial)
    with services.sessions() as session:
        settings = stored_settings.settings_of(session, member.id)
        mine = [m.metric for m in metrics_of(session, member.id)]
    form = form_of(command, settings.remote_days, (settings.work_start, settings.work_end), mine)
    plan, errors = validate_trial(form, today, mine)
    if plan is None:
        problem = " ".join(errors.values())
        if "remote_days" in errors:
            problem = (
                "Set your remote weekdays first (`/remote-win days tue,thu`), or use `/remote-win trial`."
            )
        return problem_message(problem, typed)
    try:
        trial, _created, own_days = start_trial(services, team, user, plan, ref)
    except TrialRunning as running:
        return problem_message(running_words(running.trial), typed)
    passed = [c.day for c in trial.checkins if c.state == "passed"]
    return trial_started_message(trial.plan, trial.manager_user_id, passed, own_days)
