"""The App Home: gathering what it shows (one read-only session) and publishing it.

It is published when the member opens the tab and again after anything that changes it (a win saved,
undone or deleted, settings, a plan, a digest acknowledged) while they have it open (see
bot/home_viewers.py): `refresh_home` hands that to the pool, so the action that caused it never waits
for it, and a failed publish is only logged.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.home import LastDigest, MemberHome, TeamHome, home_view
from bot.blocks.trial import trial_status
from bot.directory import member_for
from bot.services import Services
from rules.calendar import week_of
from rules.deliveries import Kind, Status
from rules.digest import manager_week
from rules.schedule import DIGEST
from rules.settings import why_no_prompt, working_words
from storage import settings as stored_settings
from storage.digest import acknowledged_at, load_digest, reports_of
from storage.ledger import deliveries_for
from storage.members import MemberRef
from storage.plans import find_plan
from storage.schedules import next_slots
from storage.trials import latest_trial
from storage.wins import wins_between

PROBLEMS_READ = 10
LEDGER_LOOKBACK = 60  # a manager's latest deliveries searched for the last digest (a week has ~20)
log = logging.getLogger(__name__)


def home_data(services: Services, team: str, user: str) -> tuple[MemberHome, TeamHome | None]:
    """Everything the Home shows for this member, and the team part when they manage anyone."""
    member = member_for(services, team, user)
    now = services.clock()
    with services.sessions() as session:
        snap = stored_settings.snapshot(session, member.id, now)
        tz, today = snap.settings.tz, snap.today
        period = week_of(today)
        failed = deliveries_for(session, member.id, statuses=(Status.FAILED,), limit=PROBLEMS_READ)
        trial = latest_trial(session, member.id)
        mine = MemberHome(
            user_id=user,
            tz=tz,
            now=now,
            today=today,
            wins=wins_between(session, member.id, period),
            period=period,
            plan=find_plan(session, member.id, today),
            next_prompts=next_slots(session, member.id),
            no_prompt=why_no_prompt(snap.settings, snap.overrides),
            working=working_words(snap.settings, today),
            trial=trial_status(trial.plan, trial.checkins, today) if trial else None,
            problems=[
                p
                for p in failed
                if p.kind != Kind.READ_NOTICE and now - p.due_at <= stored_settings.RECENT_PROBLEM
            ],
        )
        return mine, _team_data(session, member, tz, now)


def _team_data(session: Session, member: MemberRef, tz: str, now: datetime) -> TeamHome | None:
    """For anyone named as manager by a sharing member: this week's figures and the last digest."""
    if not reports_of(session, member.workspace_id, member.user_id):
        return None
    week = load_digest(
        session, member.workspace_id, member.user_id, manager_week(now, tz), now=now, shown_per_report=0
    )
    sent = deliveries_for(session, member.id, limit=LEDGER_LOOKBACK)
    row = next((d for d in sent if d.kind == DIGEST), None)
    last = None
    if row is not None:
        last = LastDigest(
            week=row.period,
            status=row.status,
            sent_at=row.finished_at,
            error=row.error,
            acknowledged_at=acknowledged_at(session, member.id, row.period),
        )
    return TeamHome(week=week, last_digest=last)


def publish_home(services: Services, team: str, user: str) -> None:
    """On app_home_opened. Republishing is idempotent, so a retried event (X-Slack-Retry-Num) does no harm."""
    services.home_viewers.opened((team, user))
    services.client_for(team).views_publish(user_id=user, view=home_view(*home_data(services, team, user)))


def refresh_home(services: Services, team: str, user: str) -> None:
    """Republish after a change, for a member who has the Home open, once per burst of changes
    (bot.home_viewers); whatever goes wrong is logged, never the caller's problem."""
    if not services.home_viewers.claim_refresh((team, user)):
        return

    def run() -> None:
        services.home_viewers.refreshing((team, user))
        try:
            publish_home(services, team, user)
        except Exception:
            log.warning("could not republish the Home of %s", user, exc_info=True)

    def hand_over() -> None:
        try:
            services.background.home(run)
        except RuntimeError:  # the pool is shutting down: the next app_home_opened publishes it
            services.home_viewers.refreshing((team, user))
            log.info("not republishing the Home of %s: shutting down", user)

    timer = threading.Timer(services.home_viewers.DELAY, hand_over)
    timer.daemon = True
    timer.start()
