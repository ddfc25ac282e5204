"""The demo workspace a new sandbox starts with: a manager, four reports in four time zones, their remote
days, four weeks of wins, plans and sign-offs, and one running remote-work trial, written through the
storage layer as the app would have written them, so the first digest has a history to compare with.

Everything is made from a fixed seed: two sandboxes started at the same instant hold the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import Services
from rules.calendar import local_today, zone
from rules.metrics import MetricDef
from rules.plans import SummaryInput
from rules.settings import MemberSettings
from rules.trial import Arrangement, TrialPlan
from rules.wins import WinDraft
from storage.members import MemberRef, save_member
from storage.metrics import define_metric
from storage.models import Member
from storage.plans import post_plan, sign_off
from storage.settings import save_settings, settings_of
from storage.trials import create_trial
from storage.wins import add_win

TEAM_ID, TEAM_NAME = "TDEMO", "demo"
CHANNEL_ID, CHANNEL_NAME = "CTEAM", "team"
WEEKS = 4
SEED = 12


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    tz: str
    role: str
    remote_days: frozenset[int] = frozenset()  # 0 = Monday
    share_to: str = "self"  # where their plans and summaries go
    metric: str | None = None  # what they count, now and then
    work: tuple[str, ...] = ()  # what their wins and plans are about


MANAGER = Person("UMAYA", "maya", "America/New_York", "manager")
PEOPLE = (
    MANAGER,
    Person(
        "UANA",
        "ana",
        "Europe/Berlin",
        "designer",
        frozenset({0, 2, 4}),
        "channel",
        "screens reviewed",
        (
            "finished the onboarding flow mock-ups",
            "ran two usability sessions",
            "cleaned up the icon set",
            "wrote the design review notes",
            "paired with Leo on the settings page",
            "closed the accessibility audit findings",
            "shipped the new empty states",
        ),
    ),
    Person(
        "UKENJI",
        "kenji",
        "Asia/Tokyo",
        "support lead",
        frozenset({0, 1, 3}),
        "manager",
        "tickets closed",
        (
            "cleared the overnight ticket queue",
            "wrote the refund macro",
            "trained the new hire on escalations",
            "found the root cause of the login emails",
            "updated three help-centre articles",
            "called back the two angry enterprise customers",
        ),
    ),
    Person(
        "UPRIYA",
        "priya",
        "Asia/Kolkata",
        "data analyst",
        frozenset({0, 3}),
        "channel",
        "dashboards shipped",
        (
            "rebuilt the churn dashboard",
            "found the double-counted signups",
            "wrote the Q3 retention summary",
            "automated the Monday KPI export",
            "reviewed Leo's tracking plan",
        ),
    ),
    Person(
        "ULEO",
        "leo",
        "America/Los_Angeles",
        "engineer",
        frozenset({1, 2, 4}),
        "self",
        "PRs merged",
        (
            "merged the settings page refactor",
            "fixed the flaky checkout test",
            "cut the API p95 from 480 to 210 ms",
            "reviewed six pull requests",
            "unblocked the mobile release",
            "wrote the migration runbook",
        ),
    ),
)
TRIAL_OF = PEOPLE[1]  # ana runs a 90-day remote-work trial, started three weeks before the demo's now
TRIAL_TARGET = 12.0  # screens reviewed a week
CATEGORIES = ("shipped", "shipped", "unblocked", "helped", "decision", "learned")
REACHABLE = ("9:00–12:30, 13:30–17:30", "9:30–17:00", "8:30–16:30")
BLOCKERS = ("waiting on legal's answer, got it at 3 pm", "staging was down; ops fixed it", None, None, None)


def demo_people() -> tuple[Person, ...]:
    return PEOPLE


def is_seeded(services: Services) -> bool:
    """Whether the sandbox's database already has its workspace (a second start keeps what happened)."""
    with services.sessions() as session:
        return bool(
            session.scalar(select(func.count()).select_from(Member).where(Member.workspace_id == TEAM_ID))
        )


def seed(services: Services, now: datetime) -> None:
    """Write the demo workspace as of `now`: settings in force from now, history before it."""
    rng = random.Random(SEED)
    with services.sessions.begin() as session:
        refs: dict[str, MemberRef] = {}
        for person in PEOPLE:
            refs[person.user_id] = save_member(
                session,
                TEAM_ID,
                person.user_id,
                tz=person.tz,
                display_name=person.name,
                now=now - _weeks(WEEKS),
            )
        for person in PEOPLE:
            if person is MANAGER:
                continue
            member = refs[person.user_id]
            wanted = settings_of(session, member.id)
            save_settings(session, member.id, _settings(wanted, person), now)
            _history(session, member, person, now, rng)
        _trial(session, refs[TRIAL_OF.user_id], TRIAL_OF, now)


def _trial(session: Session, member: MemberRef, person: Person, now: datetime) -> None:
    """A remote-work trial running for three weeks, with the metric the member counts and a target."""
    assert person.metric is not None
    metric = MetricDef(person.metric, "count", "higher", TRIAL_TARGET, "week")
    define_metric(session, member.id, metric, now - _weeks(WEEKS))
    start = local_today(now, person.tz) - _weeks(3)
    arrangement = Arrangement(person.remote_days, (time(9), time(17, 30)), "Slack DM; phone after 3 pm")
    plan = TrialPlan(start, arrangement, metrics=(metric,))
    create_trial(session, member.id, plan, MANAGER.user_id, "sandbox-seed", now - _weeks(3))


def _weeks(n: int) -> timedelta:
    return timedelta(weeks=n)


def _settings(current: MemberSettings, person: Person) -> MemberSettings:
    return MemberSettings(
        slack_tz=current.slack_tz,
        remote_days=person.remote_days,
        manager=MANAGER.user_id,
        share_to=person.share_to,
        share_channel=CHANNEL_ID if person.share_to == "channel" else None,
        workspace_holidays=current.workspace_holidays,
    )


def _at(day: date, clock: time, tz: str) -> datetime:
    return datetime.combine(day, clock, zone(tz)).astimezone(UTC)


def _history(session: Session, member: MemberRef, person: Person, now: datetime, rng: random.Random) -> None:
    """Four weeks of working days before the member's today: wins every day, on remote days a plan in the
    morning and a sign-off in the evening."""
    today = now.astimezone(zone(person.tz)).date()
    first = today - timedelta(days=today.weekday()) - _weeks(WEEKS)
    day = first
    while day < today:
        if day.weekday() < 5:
            remote = day.weekday() in person.remote_days
            _wins_of_day(session, member, person, day, remote, rng)
            if remote:
                _plan_of_day(session, member, person, day, rng)
        day += timedelta(days=1)


def _wins_of_day(
    session: Session, member: MemberRef, person: Person, day: date, remote: bool, rng: random.Random
) -> None:
    count = rng.choice((1, 2, 2, 3)) if remote else rng.choice((0, 1, 1, 2))
    for n in range(count):
        text = rng.choice(person.work)
        metric = person.metric if rng.random() < 0.4 else None
        value = float(rng.randint(2, 12)) if metric else None
        draft = WinDraft(
            text,
            day,
            category="metric" if metric else rng.choice(CATEGORIES),
            metric_name=metric,
            metric_value=value,
            day_kind="remote" if remote else "office",
        )
        at = _at(day, time(10 + 2 * n, rng.randint(0, 59)), person.tz)
        add_win(session, member, draft, source="command", source_ref=f"seed:{day}:{n}", now=at)


def _plan_of_day(session: Session, member: MemberRef, person: Person, day: date, rng: random.Random) -> None:
    items = rng.sample(person.work, 3)
    posted = _at(day, time(9, rng.randint(2, 20)), person.tz)
    post_plan(session, member.id, day, items, rng.choice(REACHABLE), "Slack DM; phone if urgent", posted)
    done = frozenset(range(rng.choice((2, 3, 3))))
    signed = time(17, rng.randint(5, 40))
    form = SummaryInput(done, rng.choice(BLOCKERS), f"{signed:%H:%M}", carry=False, tomorrow=())
    sign_off(session, member, day, form, _at(day, signed, person.tz))
