"""What the clock sends for a remote-work trial: a check-in's member copy (with "Share with my manager"),
its manager copy (with Continue / Adjust / Let's talk), and the overwork guard's private note.

The figures are computed when the copy is rendered, from the data as it is then (rules.trial), over the
days the check-in covers, all of them over; both copies leave private wins out, so the member's copy
shows exactly what sharing shows. The chart (logged wins per day over the covered days, remote vs office)
goes into the message's thread like the digest's; the final check-in's copies carry the evidence pack
(bot.evidence: the one-page summary and every win as CSV) in the same thread. Nothing to say is None:
the delivery is recorded as skipped (an overwork look that found nothing, a trial that is gone).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.trial import checkin_messages, overwork_message
from bot.evidence import gather, pack_files
from jobs.digest import Parcel
from rules.trial import BASELINE_WEEKS, OVERWORK_DAYS, CheckinReport, checkin_report, overwork
from storage.models import Member
from storage.trials import (
    CHECKIN_MANAGER,
    OVERWORK,
    SavedCheckin,
    SavedTrial,
    period_of,
    trial_inputs,
    trial_of,
)


def build_checkin(session: Session, trial: SavedTrial, checkin: SavedCheckin) -> CheckinReport:
    """The check-in's figures, with the trend since the check-in before it and the baseline weeks."""
    plan = trial.plan
    first = plan.start - timedelta(weeks=BASELINE_WEEKS + 1)
    inputs = trial_inputs(session, trial.member_id, plan, first, plan.covered(checkin.day).last)
    return checkin_report(inputs, checkin.day, trial.previous_day(checkin.day), checkin.final)


def trial_parcel(session: Session, kind: str, period: str, now: datetime) -> Parcel | None:
    """The delivery of `kind` whose ledger period is `period` (storage.trials)."""
    if kind == OVERWORK:
        return _overwork_parcel(session, period)
    key = period_of(period)
    trial = trial_of(session, key[0]) if key else None
    checkin = next((c for c in trial.checkins if c.day == key[1]), None) if trial and key else None
    if trial is None or checkin is None:
        return None
    member = session.get(Member, trial.member_id)
    if member is None:
        return None
    report = build_checkin(session, trial, checkin)
    messages = checkin_messages(
        report, trial.plan, member=member.user_id, checkin_id=checkin.id, for_manager=kind == CHECKIN_MANAGER
    )
    files: tuple = ()
    if checkin.final:  # the final check-in is the evidence pack: the one-pager and the CSV come with it
        covered = trial.plan.covered(checkin.day)
        evidence = gather(session, trial.member_id, covered.first, covered.last, now, trial)
        files = tuple(pack_files(evidence))
    return Parcel(messages, chart=report.figures.chart, week=f"trial-day-{checkin.day}", files=files)


def _overwork_parcel(session: Session, period: str) -> Parcel | None:
    day, _, trial_id = period.partition("#")
    trial = trial_of(session, int(trial_id)) if trial_id.isdigit() else None
    if trial is None:
        return None
    today = date.fromisoformat(day)
    first = today - timedelta(days=OVERWORK_DAYS + 1)
    note = overwork(trial_inputs(session, trial.member_id, trial.plan, first, today), today)
    return None if note is None else Parcel([overwork_message(note)])
