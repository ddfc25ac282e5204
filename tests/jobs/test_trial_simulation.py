"""A 90-day remote-work trial, simulated day by day under a frozen clock against the fake Slack.

Ana (Berlin) works remotely Tuesday to Thursday and in the office Monday and Friday; her manager Mia is in
New York. Before the trial there are six office-only weeks (the baseline) and two mixed ones (not the
baseline). The clock ticks at every instant something is due; the member and the managers press their
buttons through signed requests the moment a message reaches them. Every figure a check-in shows is
computed again here, independently, from the rows this test wrote.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.services import Services
from rules.wins import WinDraft
from storage.members import find_member
from storage.metrics import log_value, metrics_of
from storage.models import Plan, PromptSlot, Trial, TrialCheckin
from storage.wins import add_win
from tests.bot.test_plans import element, press
from tests.fake_slack import FakeSlack, Message
from tests.jobs.test_tick import ledger, tick
from tests.support import SlackRequests, visible_text, wait_until

TEAM = "T0001"
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
START = date(2026, 3, 2)  # a Monday; day 90 is Sat 30 May
JOINED = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
REMOTE, OFFICE = frozenset({1, 2, 3}), frozenset({0, 4})
HOURS = (time(9, 0), time(17, 30))
CHECKIN_DATES = {30: date(2026, 4, 1), 60: date(2026, 5, 1), 90: date(2026, 6, 1)}  # day 90 + 1 is a Sunday
BASELINE = [date(2026, 1, 19) + timedelta(weeks=w) for w in range(6)]  # the office-only weeks' Mondays
MIXED = [date(2026, 1, 5), date(2026, 1, 12)]  # weeks with remote and office days: not the baseline


def at(day: date, hh: int, mm: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz).astimezone(UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Day:
    """What this test wrote for one of Ana's days (shared rows only; a private win is kept apart)."""

    kind: str
    wins: list[datetime] = field(default_factory=list)  # created_at of each shared logged win
    private: int = 0
    tickets: list[float] = field(default_factory=list)
    plan_posted: datetime | None = None
    planned: int = 0
    done: int = 0
    signed_off: time | None = None


def kind_of(day: date) -> str:
    return "remote" if day.weekday() in REMOTE else "office" if day.weekday() in OFFICE else "off"


def mean_words(value: float) -> str:
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.2f}"


def hhmm(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def hours_words(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60}h{whole % 60:02d}"


def plural(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


# -- the simulation ----------------------------------------------------------------------------------------


class Simulation:
    def __init__(self, services: Services, slack: SlackRequests, fake: FakeSlack) -> None:
        self.services, self.slack, self.fake = services, slack, fake
        self.clock = Clock(JOINED)
        services.clock = self.clock
        self.rng = random.Random(9)
        self.days: dict[date, Day] = {}
        self.seen: set[str] = set()
        self.arrivals: dict[tuple[str, int], tuple[datetime, Message]] = {}  # (kind, day) -> when, what
        self.decisions = {30: "continue", 60: "adjust", 90: "talk"}
        fake.add_user("UA", tz="Europe/Berlin", name="ana")
        fake.add_user("UM", tz="America/New_York", name="mia")
        fake.add_user("UN", tz="America/New_York", name="noa")

    def command(self, text: str, user: str = "UA") -> str:
        return json.dumps(self.slack.command(text, user=user).json(), ensure_ascii=False)

    def setup(self) -> None:
        assert "Remote days: Tue, Wed, Thu" in self.command("days tue,wed,thu")
        assert "<@UM>" in self.command("manager <@UM>")
        assert "Added" in self.command("metric add tickets closed, count, at least 12 a week")
        assert "Added" in self.command("metric add first response, minutes, at most 10 a day")
        with self.services.sessions() as session:
            self.member = find_member(session, TEAM, "UA")
            self.tickets_id = metrics_of(session, self.member.id)[0].id
        for monday in MIXED + BASELINE:
            for offset in range(5):
                day = monday + timedelta(days=offset)
                kind = "remote" if monday in MIXED and day.weekday() in REMOTE else "office"
                self.write_day(day, kind, with_plan=False)

    def write_day(self, day: date, kind: str, *, with_plan: bool = True) -> None:
        """Wins, ticket values and (on remote days) a plan, saved at their moments of the day."""
        rng, record = self.rng, Day(kind)
        if kind == "off":
            self.days[day] = record
            return
        with self.services.writing(), self.services.sessions.begin() as session:
            for n in range(rng.randint(0, 4)):
                created = at(day, 9 + 2 * n, rng.choice((5, 20, 45)))
                add_win(
                    session,
                    self.member,
                    WinDraft(f"win {day} {n}", day, day_kind=kind),
                    source="command",
                    source_ref=None,
                    now=created,
                )
                record.wins.append(created)
            if rng.random() < 0.15:  # a private win: never counted, its moment never read
                add_win(
                    session,
                    self.member,
                    WinDraft("private", day, day_kind=kind, private=True),
                    source="command",
                    source_ref=None,
                    now=at(day, 7, 0),
                )
                record.private += 1
            for _ in range(rng.randint(0, 2)):
                value = float(rng.randint(1, 5))
                log_value(session, self.member.id, self.tickets_id, day, value, kind, None, at(day, 12))
                record.tickets.append(value)
            if kind == "remote" and with_plan and rng.random() < 0.9:
                posted = at(day, 8, 40) if rng.random() < 0.3 else at(day, 9, 5)
                planned = rng.randint(1, 5)
                done = rng.randint(0, planned)
                signed = time(17, rng.choice((15, 30, 45)))
                session.add(
                    Plan(
                        member_id=self.member.id,
                        local_date=day,
                        status="summarized",
                        items=[f"item {i}" for i in range(planned)],
                        done=list(range(done)),
                        signed_off=signed.strftime("%H:%M"),
                        posted_at=posted,
                        created_at=posted,
                        updated_at=posted,
                    )
                )
                record.plan_posted, record.planned, record.done, record.signed_off = (
                    posted,
                    planned,
                    done,
                    signed,
                )
        self.days[day] = record

    # -- the clock, and the people reacting to what reaches them ------------------------------------------

    def next_due(self) -> datetime | None:
        with self.services.sessions() as session:
            candidates = [
                session.scalar(select(func.min(PromptSlot.due_at))),
                session.scalar(
                    select(func.min(TrialCheckin.due_at)).where(
                        TrialCheckin.state == "due", TrialCheckin.member_claimed_at.is_(None)
                    )
                ),
                session.scalar(
                    select(func.min(TrialCheckin.manager_due_at)).where(
                        TrialCheckin.manager_claimed_at.is_(None)
                    )
                ),
                session.scalar(select(func.min(Trial.overwork_due_at))),
            ]
        found = [c for c in candidates if c is not None]
        return min(found) if found else None

    def run_until(self, end: datetime) -> None:
        while (due := self.next_due()) is not None and due <= end:
            self.clock.now = due
            tick(self.services, due)
            self.react(due)
        self.clock.now = end

    def react(self, now: datetime) -> None:
        """Whoever got a check-in presses its button right away (as the clock says)."""
        for message in list(self.fake.messages):
            if message.ts in self.seen or message.thread_ts:
                continue
            self.seen.add(message.ts)
            title = re.search(
                r"remote-work trial: (?:[Cc]heck-in|[Ff]inal check-in) after day (\d+) of \d+",
                visible_text(message),
            )
            if title is None:
                continue
            day = int(title.group(1))
            if message.channel == "DA":
                self.arrivals[("member", day)] = (now, message)
                assert ("manager", day) not in self.arrivals, "the manager's copy came before the member's"
                press(self.slack, message, element(message, "checkin_share"), user="UA")
                wait_until(partial(self.shared, day), what=f"day {day} shared")
            else:
                self.arrivals[("manager", day)] = (now, message)
                manager = "U" + message.channel[1:]
                decision = self.decisions.get(day)
                if decision is None:
                    continue
                button = {"continue": "checkin_continue", "adjust": "checkin_adjust", "talk": "checkin_talk"}[
                    decision
                ]
                before = len(self.fake.calls_to("views.open"))
                press(self.slack, message, element(message, button), user=manager)
                if decision == "adjust":
                    view = wait_until(partial(self.opened_since, before), what="the note modal")[0].params[
                        "view"
                    ]
                    values = {
                        "note": {
                            "value": {
                                "type": "plain_text_input",
                                "value": 'Keep Thursdays <free> of meetings & "focus"',
                            }
                        }
                    }
                    reply = self.slack.submit_view(view | {"id": f"VN{day}"}, values, user=manager)
                    assert reply.body == b""
                wait_until(partial(self.decided, day), what=f"day {day} decided")

    def opened_since(self, before: int) -> list[Any]:
        return self.fake.calls_to("views.open")[before:]

    def shared(self, day: int) -> bool:
        with self.services.sessions() as session:
            return session.scalar(select(TrialCheckin.shared_at).where(TrialCheckin.day == day)) is not None

    def decided(self, day: int) -> bool:
        with self.services.sessions() as session:
            return session.scalar(select(TrialCheckin.decided_at).where(TrialCheckin.day == day)) is not None

    # -- what the figures must be, from this test's own rows ----------------------------------------------

    def expected_lines(self, day: int) -> list[str]:
        covered = [START + timedelta(days=i) for i in range(day)]
        lines = [self.wins_line(covered)]
        planned = sum(self.days[d].planned for d in covered)
        done = sum(self.days[d].done for d in covered)
        lines.append(f"Plan items done: {done} of {planned} ({done / planned:.0%})")
        lines.append(self.tickets_line(covered))
        lines.append("first response (at most 10 minutes a day): not logged yet")
        lines.append(self.times_line(covered))
        remote = [d for d in covered if self.days[d].kind == "remote"]
        posted = [d for d in remote if self.days[d].plan_posted is not None]
        within = [d for d in posted if self.days[d].plan_posted.astimezone(BERLIN).time() >= HOURS[0]]
        lines.append(
            f"Plans posted on {len(posted)} of {len(remote)} ({len(posted) / len(remote):.0%}) remote "
            f"days; {len(within)} of them within the promised 09:00–17:30"
        )
        lines.append(self.baseline_line())
        return lines

    def wins_line(self, days: list[date]) -> str:
        parts = []
        for kind in ("remote", "office"):
            mine = [d for d in days if self.days[d].kind == kind]
            wins = sum(len(self.days[d].wins) for d in mine)
            label = "wins logged per remote day" if kind == "remote" else "per office day"
            parts.append(f"{mean_words(wins / len(mine))} {label} ({wins} on {plural(len(mine), 'day')})")
        return ", ".join(parts)

    def tickets_line(self, days: list[date]) -> str:
        weeks = {}
        for d in days:
            monday = d - timedelta(days=d.weekday())
            if monday >= days[0] and monday + timedelta(days=6) <= days[-1]:
                weeks.setdefault(monday, 0.0)
                weeks[monday] += sum(self.days[d].tickets)
        logged_weeks = {
            m: v for m, v in weeks.items() if any(self.days[m + timedelta(days=i)].tickets for i in range(7))
        }
        weekly = sum(logged_weeks.values()) / len(logged_weeks)
        verdict = "met" if weekly >= 12 else "not met"
        sides = []
        for kind in ("remote", "office"):
            values = [
                sum(self.days[d].tickets) for d in days if self.days[d].kind == kind and self.days[d].tickets
            ]
            sides.append(f"{mean_words(sum(values) / len(values))} on {plural(len(values), kind + ' day')}")
        number = (
            f"{round(weekly, 2):,}".rstrip("0").rstrip(".") if weekly != int(weekly) else f"{int(weekly):,}"
        )
        return (
            f"tickets closed (at least 12 a week): {number} a week over "
            f"{plural(len(logged_weeks), 'whole week')}: "
            f"target {verdict}; per day, {sides[0]} vs {sides[1]}"
        )

    def times_line(self, days: list[date]) -> str:
        figures = {}
        for kind in ("remote", "office"):
            starts, ends, lengths = [], [], []
            for d in days:
                record = self.days[d]
                if record.kind != kind:
                    continue
                moments = list(record.wins) + ([record.plan_posted] if record.plan_posted else [])
                begin = min(moments) if moments else None
                end = (
                    at(d, record.signed_off.hour, record.signed_off.minute)
                    if record.signed_off
                    else (max(record.wins) if record.wins else None)
                )
                if begin:
                    local = begin.astimezone(BERLIN)
                    starts.append(local.hour * 60 + local.minute)
                if end:
                    local = end.astimezone(BERLIN)
                    ends.append(local.hour * 60 + local.minute)
                if begin and end and end > begin:
                    lengths.append((end - begin).total_seconds() / 60)
            figures[kind] = (starts, ends, lengths)
        (rs, re_, rl), (os_, oe, ol) = figures["remote"], figures["office"]
        avg = lambda xs: sum(xs) / len(xs)  # noqa: E731
        return (
            f"Start of day {hhmm(avg(rs))} remote ({plural(len(rs), 'day')}) vs {hhmm(avg(os_))} office "
            f"({plural(len(os_), 'day')}); "
            f"end of day {hhmm(avg(re_))} vs {hhmm(avg(oe))}; length {hours_words(avg(rl))} "
            f"({plural(len(rl), 'day')}) vs "
            f"{hours_words(avg(ol))} ({plural(len(ol), 'day')})"
        )

    def baseline_line(self) -> str:
        days = [m + timedelta(days=i) for m in BASELINE for i in range(5)]
        wins = sum(len(self.days[d].wins) for d in days)
        values = [sum(self.days[d].tickets) for d in days if self.days[d].tickets]
        return (
            "Before the trial (6 office-only weeks, 19 Jan – 1 Mar 2026): "
            f"{mean_words(wins / len(days))} wins logged per "
            f"office day ({wins} on {len(days)} days); tickets closed "
            f"{mean_words(sum(values) / len(values))} a day on "
            f"{len(values)} days"
        )


@pytest.fixture
def sim(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Iterator[Simulation]:
    yield Simulation(services, slack, fake_slack)


def response(services: Services) -> str | None:
    with services.sessions() as session:
        return session.scalar(select(Trial.response))


def trial_form_values(view: dict[str, Any]) -> dict[str, Any]:
    metrics = next(b for b in view["blocks"] if b.get("block_id") == "metrics")["element"]["options"]
    return {
        "start": {"value": {"type": "datepicker", "selected_date": START.isoformat()}},
        "length": {"value": {"type": "number_input", "value": "90"}},
        "checkins": {"value": {"type": "plain_text_input", "value": "30, 60, 90"}},
        "remote_days": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "1"}, {"value": "2"}, {"value": "3"}],
            }
        },
        "hours_start": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "hours_end": {"value": {"type": "timepicker", "selected_time": "17:30"}},
        "reach_via": {"value": {"type": "plain_text_input", "value": "Slack DM, phone after 3"}},
        "metrics": {
            "value": {"type": "checkboxes", "selected_options": [{"value": o["value"]} for o in metrics]}
        },
    }


def test_a_90_day_trial_day_by_day(sim: Simulation, services: Services, fake_slack: FakeSlack) -> None:
    sim.setup()
    sim.clock.now = at(START, 8, 0)
    before = len(fake_slack.calls_to("views.open"))
    sim.slack.command("trial", user="UA")
    view = wait_until(lambda: fake_slack.calls_to("views.open")[before:], what="the trial modal")[0].params[
        "view"
    ]
    assert sim.slack.submit_view(view | {"id": "VT"}, trial_form_values(view), user="UA").body == b""
    proposal = wait_until(  # after the DM telling UM they were named as manager
        lambda: [m for m in fake_slack.messages if m.channel == "DM" and "proposes a" in visible_text(m)],
        what="the proposal",
    )[0]
    shown = visible_text(proposal)
    assert (
        "<@UA> proposes a remote-work trial" in shown
        and "reachable 09:00–17:30 via Slack DM, phone after 3" in shown
    )
    assert "Before the trial (6 office-only weeks" in shown
    press(sim.slack, proposal, element(proposal, "trial_accept"), user="UA")  # not Ana's to answer
    press(sim.slack, proposal, element(proposal, "trial_accept"), user="UM")
    wait_until(lambda: response(services) == "accepted", what="the answer")
    wait_until(
        lambda: any(
            "accepted your remote-work trial" in visible_text(m)
            for m in fake_slack.messages
            if m.channel == "DA"
        ),
        what="Ana hearing of it",
    )

    day = START
    while day <= date(2026, 6, 2):
        if day <= START + timedelta(days=89):
            sim.write_day(day, kind_of(day))
        if day == START + timedelta(days=44):  # halfway, Ana changes manager
            sim.clock.now = at(day, 12)
            assert "<@UN>" in sim.command("manager <@UN>")
        sim.run_until(at(day, 23, 59))
        day += timedelta(days=1)

    # Each check-in came once, on its own day at Ana's morning, and the manager's only after Ana shared it.
    for number, on in CHECKIN_DATES.items():
        member_at, member_copy = sim.arrivals[("member", number)]
        manager_at, manager_copy = sim.arrivals[("manager", number)]
        assert member_at == at(on, 9, 0)
        assert manager_at == at(on, 9, 0, NEW_YORK)  # shared at 09:00 Berlin: her manager's day starts later
        assert member_at < manager_at
        assert manager_copy.channel == (
            "DM" if number == 30 else "DN"
        )  # the manager of the day it was shared
        for line in sim.expected_lines(number):
            member_text = visible_text(member_copy)
            assert line in member_text, f"day {number}: {line!r} not in {member_text}"
            assert line in visible_text(manager_copy)
    rows = [(r.user_id, r.kind, r.status) for r in ledger(services) if r.kind.startswith("checkin")]
    assert sorted(rows) == sorted(
        [("UA", "checkin", "sent")] * 3
        + [("UM", "checkin_manager", "sent")]
        + [("UN", "checkin_manager", "sent")] * 2
    )
    # The trend since the last check-in, from the rows too.
    since = [START + timedelta(days=i) for i in range(30, 60)]
    earlier = [START + timedelta(days=i) for i in range(30)]
    trend = f"Since the last check-in (1 Apr – 30 Apr 2026): {sim.wins_line(since)}. "
    trend += f"Before it: {sim.wins_line(earlier)}"
    assert trend in visible_text(sim.arrivals[("member", 60)][1])

    # The manager's answers are recorded and shown to Ana.
    with services.sessions() as session:
        answers = session.execute(
            select(
                TrialCheckin.day, TrialCheckin.decision, TrialCheckin.note, TrialCheckin.manager_user_id
            ).order_by(TrialCheckin.day)
        ).all()
    assert [tuple(a) for a in answers] == [
        (30, "continue", None, "UM"),
        (60, "adjust", 'Keep Thursdays <free> of meetings & "focus"', "UN"),
        (90, "talk", None, "UN"),
    ]
    to_ana = "\n".join(visible_text(m) for m in fake_slack.messages if m.channel == "DA")
    assert "<@UM> answered your day-30 check-in: *Continue*" in to_ana
    assert "<@UN> answered your day-60 check-in: *Adjust*" in to_ana
    assert '> Keep Thursdays &lt;free&gt; of meetings &amp; "focus"' in to_ana
    assert "<@UN> answered your final check-in: *Let's talk*" in to_ana
    day60 = sim.arrivals[("manager", 60)][1]
    thread = (day60.channel, day60.ts)
    replies = [visible_text(m) for m in fake_slack.messages if (m.channel, m.thread_ts) == thread]
    assert any("You chose *Adjust*" in r for r in replies)  # noted in the manager's copy's thread
    day30 = next(m for m in fake_slack.messages if m.ts == sim.arrivals[("manager", 30)][1].ts)
    assert "You chose *Continue*" in visible_text(day30)
    assert "checkin_continue" not in json.dumps(day30.blocks)
    shown_trial = sim.command("trial show")
    assert (
        "shared; Continue" in shown_trial
        and "shared; Let's talk" in shown_trial
        and "accepted" in shown_trial
    )
    assert not fake_slack.refusals and not fake_slack.rejected_responses
    managers = "\n".join(visible_text(m) for m in fake_slack.messages if m.channel in ("DM", "DN"))
    assert "remote days ran" not in managers  # the overwork guard's notes are Ana's alone
