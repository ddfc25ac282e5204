"""The tick: every member gets each prompt once, at their own local time, only on remote days; whatever
runs twice, overlaps, crashes half-way or comes back after downtime.

Members and their slots are set up in the database; prompts are counted on the fake Slack and matched
to the ledger by (channel, ts). The clock is always passed in (`now`); nothing here reads the real one.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import jobs.tick
from bot.sender import Message, RateLimits, Sender, SendResult
from bot.services import Services
from jobs.tick import TickReport, run_tick
from rules.schedule import GRACE
from storage.ledger import DeliveryKey, claim, mark_sending
from storage.members import save_member
from storage.models import DayOverride, Member, PromptSlot
from storage.models import Delivery as DeliveryRow
from storage.schedules import advance_slot, due_slots, reschedule, set_one_shot
from tests.fake_slack import FakeSlack
from tests.remote_wins.test_cli import assert_one_line, remote_wins
from tests.rules.test_schedule import DST_CASES, ZONES

TEAM = "T0001"  # the fake Slack's team
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
NOW = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # Tuesday, 09:00 in Berlin


# -- helpers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: str
    tz: str
    remote: frozenset[int] = WEEKDAYS  # 0 = Monday
    morning: time = time(9, 0)
    eod: time = time(17, 0)
    overrides: dict[date, str] = field(default_factory=dict)
    paused: bool = False
    deactivated: bool = False
    in_slack: bool = True


def add_person(services: Services, fake: FakeSlack, person: Person, now: datetime) -> int:
    """The member in the database with their settings, and their slots computed as of `now`."""
    if person.in_slack:
        fake.add_user(person.user_id, tz=person.tz)
    with services.sessions.begin() as session:
        ref = save_member(session, TEAM, person.user_id, tz=person.tz, display_name=person.user_id, now=now)
        member = session.get(Member, ref.id)
        assert member is not None
        member.remote_days = sum(1 << day for day in person.remote)
        member.morning_minute = person.morning.hour * 60 + person.morning.minute
        member.eod_minute = person.eod.hour * 60 + person.eod.minute
        member.paused, member.deactivated = person.paused, person.deactivated
        session.add_all(
            DayOverride(member_id=ref.id, local_date=d, kind=k) for d, k in person.overrides.items()
        )
        session.flush()
        reschedule(session, ref.id, now)
        return ref.id


def add_members(services: Services, fake: FakeSlack, people: Iterable[Person], now: datetime) -> None:
    for person in people:
        add_person(services, fake, person, now)


@dataclass(frozen=True)
class Row:
    user_id: str
    kind: str
    period: str
    status: str
    due_at: datetime
    claimed_at: datetime
    channel: str | None
    ts: str | None
    error: str | None


def ledger(services: Services) -> list[Row]:
    with services.sessions() as session:
        rows = session.execute(
            select(
                Member.user_id,
                DeliveryRow.kind,
                DeliveryRow.period,
                DeliveryRow.status,
                DeliveryRow.due_at,
                DeliveryRow.claimed_at,
                DeliveryRow.channel,
                DeliveryRow.ts,
                DeliveryRow.error,
            ).join(Member, Member.id == DeliveryRow.member_id)
        )
        return [Row(*row) for row in rows]


def received(services: Services, fake: FakeSlack) -> Counter[tuple[str, str, str]]:
    """(user, kind, period) of every message the bot posted, each matched to its sent delivery."""
    sent = {(r.channel, r.ts): r for r in ledger(services) if r.status == "sent"}
    counts: Counter[tuple[str, str, str]] = Counter()
    for message in fake.messages:
        row = sent.get((message.channel, message.ts))
        assert row is not None, f"a message in {message.channel} that the ledger doesn't know"
        assert message.channel == "D" + row.user_id[1:], "a prompt in someone else's DM"
        counts[(row.user_id, row.kind, row.period)] += 1
    return counts


def messages_to(fake: FakeSlack, user_id: str) -> int:
    return sum(message.channel == "D" + user_id[1:] for message in fake.messages)


def statuses(services: Services) -> Counter[str]:
    return Counter(row.status for row in ledger(services))


def slots(services: Services) -> list[tuple[int, str, datetime, date]]:
    with services.sessions() as session:
        rows = session.execute(
            select(PromptSlot.member_id, PromptSlot.kind, PromptSlot.due_at, PromptSlot.local_date).order_by(
                PromptSlot.member_id, PromptSlot.kind
            )
        )
        return [tuple(row) for row in rows]


def tick_at_every_due_instant(services: Services, end: datetime, **kwargs: Any) -> list[TickReport]:
    """What the clock does, minus the idle minutes: a tick at each instant a slot is due, up to `end`."""
    reports = []
    while True:
        with services.sessions() as session:
            soonest = session.scalar(select(func.min(PromptSlot.due_at)))
        if soonest is None or soonest > end:
            return reports
        reports.append(tick(services, soonest, **kwargs))


def expected_prompts(
    people: Iterable[Person], start: datetime, end: datetime
) -> dict[tuple[str, str, str], datetime]:
    """Worked out with plain zoneinfo: each remote day's prompts at the local times, due in (start, end]."""
    expected = {}
    for person in people:
        if person.paused or person.deactivated:
            continue
        zone = ZoneInfo(person.tz)
        day = start.astimezone(zone).date() - timedelta(days=1)
        while day <= end.astimezone(zone).date() + timedelta(days=1):
            kind_of_day = person.overrides.get(day) or ("remote" if day.weekday() in person.remote else "no")
            if kind_of_day == "remote":
                for kind, at in (("morning", person.morning), ("eod", person.eod)):
                    instant = datetime.combine(day, at, zone).astimezone(UTC)
                    if start < instant <= end:
                        expected[(person.user_id, kind, day.isoformat())] = instant
            day += timedelta(days=1)
    return expected


UNPACED = RateLimits(per_workspace_per_second=10_000, per_channel_per_second=10_000)


def tick(services: Services, now: datetime, **kwargs: Any) -> TickReport:
    """`run_tick` without the pacing that keeps a real tick under Slack's limits (tested with those in
    test_delivery.py): a test of who gets what needn't wait 55 ms between sends."""
    kwargs.setdefault("sender", Sender(services.client, limits=UNPACED))
    return run_tick(services, now, **kwargs)


class Crash(BaseException):
    """The process dying in the middle of a tick: nothing catches it, nothing after it runs."""


@dataclass
class CrashingSender(Sender):
    """Sends normally, then dies on the `crash_on`-th send, before anything reaches Slack."""

    crash_on: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        self._sends = itertools.count(1)

    def send(self, workspace_id: str, user_id: str, message: Message) -> SendResult:
        if next(self._sends) >= self.crash_on:
            raise Crash
        return super().send(workspace_id, user_id, message)


# -- a week in many zones ------------------------------------------------------------------------------

PATTERNS = (WEEKDAYS, frozenset({1, 2, 3}), frozenset({0, 4}), frozenset({2}))
TIMES = ((time(9, 0), time(17, 0)), (time(8, 30), time(16, 45)), (time(10, 15), time(18, 0)))


def week_people() -> list[Person]:
    people = [
        Person(f"U{i:03d}", tz, PATTERNS[i % len(PATTERNS)], *TIMES[i % len(TIMES)])
        for i, tz in enumerate(ZONES)
    ]
    people += [
        Person("UNONE", "Europe/Berlin", remote=frozenset()),
        Person("UPAUSED", "Asia/Kathmandu", paused=True),
        Person("UGONE", "Pacific/Chatham", deactivated=True),
        Person(
            "UOVERRIDES",
            "America/New_York",
            overrides={
                date(2026, 6, 16): "office",  # a remote Tuesday spent at the office
                date(2026, 6, 17): "off",  # a day off
                date(2026, 6, 20): "remote",  # a Saturday worked from home
            },
        ),
    ]
    return people


def test_every_member_gets_one_morning_and_one_eod_prompt_per_remote_day_for_a_week(
    services: Services, fake_slack: FakeSlack
) -> None:
    # a week: from before Monday begins in Kiritimati (+14) to the end of Saturday in Pago Pago (-11)
    start, end = datetime(2026, 6, 14, 11, 0, tzinfo=UTC), datetime(2026, 6, 21, 11, 0, tzinfo=UTC)
    people = week_people()
    add_members(services, fake_slack, people, start)
    reports = tick_at_every_due_instant(services, end)

    expected = expected_prompts(people, start, end)
    assert len({person.tz for person in people}) >= 24
    assert received(services, fake_slack) == Counter(expected.keys())  # each exactly once, nothing else
    sent = {(r.user_id, r.kind, r.period): r for r in ledger(services)}
    assert {key: row.due_at for key, row in sent.items()} == expected
    assert all(row.status == "sent" and row.claimed_at == row.due_at for row in sent.values())  # on time
    for user_id in ("UNONE", "UPAUSED", "UGONE"):
        assert messages_to(fake_slack, user_id) == 0
    overridden = sorted(period for user, _, period in expected if user == "UOVERRIDES")
    assert overridden == sorted(["2026-06-15", "2026-06-18", "2026-06-19", "2026-06-20"] * 2)
    assert sum(report.sent for report in reports) == len(expected)
    assert not any(report.failed or report.missed or report.already_claimed for report in reports)


def test_ticking_minute_by_minute_sends_each_prompt_at_its_minute_and_once(
    services: Services, fake_slack: FakeSlack
) -> None:
    """Four hours of the real clock's ticks, with everyone's prompts placed inside them (UTC in comments)."""
    people = [
        Person("UKTM", "Asia/Kathmandu", EVERY_DAY, time(8, 47), time(11, 3)),  # 03:02, 05:18
        Person("UCHT", "Pacific/Chatham", EVERY_DAY, time(15, 0), time(16, 59)),  # 02:15, 04:14
        Person("UKIR", "Pacific/Kiritimati", EVERY_DAY, time(16, 1), time(17, 0)),  # 02:01, 03:00
        Person("UPPG", "Pacific/Pago_Pago", EVERY_DAY, time(15, 58), time(17, 30)),  # 02:58, 04:30 (the 15th)
        Person("ULHW", "Australia/Lord_Howe", EVERY_DAY, time(13, 15), time(15, 45)),  # 02:45, 05:15
        Person("UNFL", "America/St_Johns", EVERY_DAY, time(0, 31), time(2, 29)),  # 03:01, 04:59
    ]
    start, end = datetime(2026, 6, 16, 1, 30, tzinfo=UTC), datetime(2026, 6, 16, 5, 30, tzinfo=UTC)
    add_members(services, fake_slack, people, start)
    seen_at: dict[tuple[str, str, str], datetime] = {}
    now = start
    while now < end:
        now += timedelta(minutes=1)
        before = len(fake_slack.messages)
        tick(services, now)
        new = fake_slack.messages[before:]
        rows = {(r.channel, r.ts): r for r in ledger(services)} if new else {}
        for message in new:
            row = rows[(message.channel, message.ts)]
            seen_at[(row.user_id, row.kind, row.period)] = now
    expected = expected_prompts(people, start, end)
    assert len(expected) == 2 * len(people)
    assert seen_at == expected  # every prompt, at the minute it was due
    assert received(services, fake_slack) == Counter(expected.keys())  # and each once, however many ticks


# -- exactly once --------------------------------------------------------------------------------------


def due_now(n: int, prefix: str = "U") -> list[Person]:
    """`n` members of Berlin whose morning prompt is due at NOW."""
    return [Person(f"{prefix}{i:03d}", "Europe/Berlin") for i in range(n)]


def test_running_the_same_tick_twice_sends_once(services: Services, fake_slack: FakeSlack) -> None:
    add_members(services, fake_slack, due_now(5), NOW - timedelta(minutes=1))
    first = tick(services, NOW)
    second = tick(services, NOW)
    assert (first.sent, second.sent) == (5, 0)
    assert received(services, fake_slack) == Counter(
        {(f"U{i:03d}", "morning", "2026-06-16"): 1 for i in range(5)}
    )


def test_a_tick_rerun_with_its_slots_recomputed_still_sends_nothing_twice(
    services: Services, fake_slack: FakeSlack
) -> None:
    """A member who changes settings after the prompt gets the same day's slot again: the ledger holds."""
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    assert tick(services, NOW).sent == 1
    with services.sessions.begin() as session:
        reschedule(session, member_id, NOW - timedelta(minutes=1))  # today's 09:00 is due again
    report = tick(services, NOW)
    assert (report.sent, report.already_claimed) == (0, 1)
    assert messages_to(fake_slack, "U1") == 1


def test_two_overlapping_ticks_send_each_prompt_once(services: Services, fake_slack: FakeSlack) -> None:
    people = due_now(30)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    fake_slack.delay("chat.postMessage", 0.01)  # keep both ticks busy at once
    start = threading.Barrier(2)
    reports: list[TickReport] = []

    def tick(worker: str) -> None:
        start.wait()
        reports.append(run_tick(services, NOW, worker=worker))

    threads = [threading.Thread(target=tick, args=(f"clock {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert received(services, fake_slack) == Counter(
        {(p.user_id, "morning", "2026-06-16"): 1 for p in people}
    )
    assert sum(report.sent for report in reports) == 30
    assert statuses(services) == Counter({"sent": 30})


def _claimed_by_a_dead_sender(services: Services, member_id: int, *, calling: bool) -> None:
    """Step 1 of a tick, committed, then the process died: before its call to Slack, or during it."""
    with services.sessions.begin() as session:
        (slot,) = [s for s in due_slots(session, NOW) if s.member_id == member_id and s.kind == "morning"]
        assert advance_slot(session, slot)
        key = DeliveryKey(TEAM, member_id, "morning", "2026-06-16")
        delivery_id = claim(session, key, due_at=NOW, now=NOW, worker="dead")
        assert delivery_id
        if calling:
            assert mark_sending(session, delivery_id, NOW, NOW)


def test_a_claim_whose_sender_died_during_its_call_is_swept_as_interrupted_and_never_sent(
    services: Services, fake_slack: FakeSlack
) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    add_person(services, fake_slack, Person("U2", "Europe/Berlin"), NOW - timedelta(minutes=1))
    _claimed_by_a_dead_sender(services, member_id, calling=True)

    assert tick(services, NOW + timedelta(minutes=1)).sent == 1  # U2; U1's delivery is still someone's
    assert tick(services, NOW + timedelta(minutes=5)).interrupted == 0  # not yet: it might be slow
    report = tick(services, NOW + timedelta(minutes=6))
    assert report.interrupted == 1
    (row,) = [r for r in ledger(services) if r.user_id == "U1"]
    assert (row.status, row.error) == ("failed", "interrupted")
    tick(services, NOW + timedelta(minutes=7))
    assert messages_to(fake_slack, "U1") == 0  # it may have gone out before the crash: never twice
    assert messages_to(fake_slack, "U2") == 1


def test_a_claim_whose_sender_died_before_calling_slack_is_sent_by_the_next_tick(
    services: Services, fake_slack: FakeSlack
) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    _claimed_by_a_dead_sender(services, member_id, calling=False)
    assert tick(services, NOW + timedelta(minutes=5)).sent == 0  # not yet: it might be slow
    report = tick(services, NOW + timedelta(minutes=6))
    assert (report.interrupted, report.sent, report.retried) == (1, 1, 1)
    (row,) = ledger(services)
    assert (row.status, row.error) == ("sent", None)
    tick(services, NOW + timedelta(minutes=7))
    assert messages_to(fake_slack, "U1") == 1


def test_a_tick_that_dies_half_way_is_finished_by_the_next_without_sending_anything_twice(
    services: Services, fake_slack: FakeSlack
) -> None:
    people = due_now(12)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    with pytest.raises(Crash):
        tick(services, NOW, sender=CrashingSender(services.client, UNPACED, workers=1, crash_on=4))
    sent_before = messages_to_all(fake_slack)
    assert 3 <= len(sent_before) < 12  # three sends went out, then the process died
    left_claimed = {r.user_id for r in ledger(services) if r.status == "claimed"}
    assert 1 <= len(left_claimed) <= 2  # only what was in flight: at most twice the workers ahead

    restart = tick(services, NOW + timedelta(minutes=1))  # the restarted clock
    assert restart.sent == 12 - len(sent_before) - len(left_claimed)
    swept = tick(services, NOW + timedelta(minutes=6))  # the sweep: they died before calling Slack
    assert swept.interrupted == swept.retried == swept.sent == len(left_claimed)
    counts = received(services, fake_slack)
    assert counts == Counter({(p.user_id, "morning", "2026-06-16"): 1 for p in people})
    assert statuses(services) == Counter({"sent": 12})


def messages_to_all(fake: FakeSlack) -> Counter[str]:
    return Counter("U" + message.channel[1:] for message in fake.messages)


# -- after downtime ------------------------------------------------------------------------------------


def test_a_tick_an_hour_late_still_sends_and_the_ledger_keeps_when_it_was_due(
    services: Services, fake_slack: FakeSlack
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    report = tick(services, NOW + timedelta(hours=1))
    assert report.sent == 1
    (row,) = ledger(services)
    assert (row.status, row.due_at, row.claimed_at) == ("sent", NOW, NOW + timedelta(hours=1))


def test_a_tick_exactly_the_grace_window_late_still_sends(services: Services, fake_slack: FakeSlack) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    assert tick(services, NOW + GRACE).sent == 1
    assert messages_to(fake_slack, "U1") == 1


def test_a_tick_three_hours_late_records_missed_and_sends_nothing(
    services: Services, fake_slack: FakeSlack
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    report = tick(services, NOW + timedelta(hours=3))
    assert (report.sent, report.missed) == (0, 1)
    assert messages_to(fake_slack, "U1") == 0
    assert [(r.kind, r.period, r.status) for r in ledger(services)] == [("morning", "2026-06-16", "missed")]
    assert tick(services, NOW + timedelta(hours=3)).missed == 0  # recorded once
    assert tick(services, datetime(2026, 6, 16, 15, 0, tzinfo=UTC)).sent == 1  # the evening is on time
    assert received(services, fake_slack) == Counter({("U1", "eod", "2026-06-16"): 1})


def test_after_days_of_downtime_each_missed_day_is_recorded_and_today_still_sent(
    services: Services, fake_slack: FakeSlack
) -> None:
    monday = datetime(2026, 6, 15, 0, 0, tzinfo=UTC)
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), monday)
    report = tick(services, datetime(2026, 6, 18, 7, 30, tzinfo=UTC))  # Thursday, 09:30 in Berlin
    by_key = {(r.kind, r.period): r.status for r in ledger(services)}
    assert by_key == {
        ("morning", "2026-06-15"): "missed",
        ("morning", "2026-06-16"): "missed",
        ("morning", "2026-06-17"): "missed",
        ("morning", "2026-06-18"): "sent",
        ("eod", "2026-06-15"): "missed",
        ("eod", "2026-06-16"): "missed",
        ("eod", "2026-06-17"): "missed",
    }
    assert (report.sent, report.missed) == (1, 6)
    assert received(services, fake_slack) == Counter({("U1", "morning", "2026-06-18"): 1})


# -- daylight saving weeks -----------------------------------------------------------------------------

DST_TICK_CASES = [
    case
    for case in DST_CASES
    if case[0] in ("America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago")
]


@pytest.mark.parametrize(
    "tz, day, at, instant, why", DST_TICK_CASES, ids=[f"{c[0]}-{c[1]}" for c in DST_TICK_CASES]
)
def test_a_dst_change_moves_nothing_and_doubles_nothing(
    services: Services, fake_slack: FakeSlack, tz: str, day: date, at: time, instant: datetime, why: str
) -> None:
    start, end = instant - timedelta(days=3), instant + timedelta(days=3)
    usual = Person("UUSUAL", tz, EVERY_DAY)  # 09:00 and 17:00, every day
    odd = Person("UODD", tz, EVERY_DAY, morning=at, eod=time(17, 0))  # a morning in the gap or the overlap
    add_members(services, fake_slack, [usual, odd], start)
    tick_at_every_due_instant(services, end)

    expected = expected_prompts([usual], start, end)
    for local_day in (day + timedelta(days=n) for n in range(-4, 5)):
        # on the day of the change: the gap's end, or the overlap's first occurrence
        due = instant if local_day == day else datetime.combine(local_day, at, ZoneInfo(tz)).astimezone(UTC)
        if start < due <= end:
            expected[("UODD", "morning", local_day.isoformat())] = due
    expected.update({k: v for k, v in expected_prompts([odd], start, end).items() if k[1] == "eod"})

    assert received(services, fake_slack) == Counter(expected.keys()), why
    assert {(r.user_id, r.kind, r.period): r.due_at for r in ledger(services)} == expected
    assert all(r.claimed_at == r.due_at for r in ledger(services))
    assert (
        sum(key[1] == "morning" and key[2] == day.isoformat() for key in received(services, fake_slack)) == 2
    )


# -- who is skipped ------------------------------------------------------------------------------------


def test_a_member_paused_after_their_slot_was_computed_is_skipped_and_loses_the_slot(
    services: Services, fake_slack: FakeSlack
) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    with services.sessions.begin() as session:
        session.get(Member, member_id).paused = True  # as if the settings change hadn't rescheduled
    report = tick(services, NOW)
    assert (report.sent, report.skipped) == (0, 1)
    assert messages_to(fake_slack, "U1") == 0
    assert ledger(services) == []
    assert [s[1] for s in slots(services)] == ["eod"]  # the morning slot is gone until they resume


def test_a_day_that_stopped_being_remote_is_skipped_and_the_slot_moves_on(
    services: Services, fake_slack: FakeSlack
) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    with services.sessions.begin() as session:
        session.add(DayOverride(member_id=member_id, local_date=date(2026, 6, 16), kind="office"))
    report = tick(services, NOW)
    assert (report.sent, report.skipped) == (0, 1)
    morning = [s for s in slots(services) if s[1] == "morning"]
    assert morning == [(member_id, "morning", datetime(2026, 6, 17, 7, 0, tzinfo=UTC), date(2026, 6, 17))]


def test_a_prompt_with_nothing_to_say_is_recorded_skipped(
    services: Services, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    monkeypatch.setattr(jobs.tick, "prompt_message", lambda *args: None)  # say, the plan is already in
    report = tick(services, NOW)
    assert (report.sent, report.skipped) == (0, 1)
    assert [(r.status, r.error) for r in ledger(services)] == [("skipped", None)]
    assert messages_to(fake_slack, "U1") == 0


def test_a_prompt_that_fails_to_render_fails_alone(
    services: Services, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_members(services, fake_slack, due_now(3), NOW - timedelta(minutes=1))
    real = jobs.tick.prompt_message

    def broken_for_u001(session: Any, member_id: int, *args: Any) -> Any:
        if session.get(Member, member_id).user_id == "U001":
            raise RuntimeError("a renderer bug")
        return real(session, member_id, *args)

    monkeypatch.setattr(jobs.tick, "prompt_message", broken_for_u001)
    report = tick(services, NOW)
    assert (report.sent, report.failed) == (2, 1)
    assert {(r.user_id, r.status, r.error) for r in ledger(services)} == {
        ("U000", "sent", None),
        ("U001", "failed", "render_failed"),
        ("U002", "sent", None),
    }


# -- kinds and snoozes ---------------------------------------------------------------------------------


def test_a_tick_for_mornings_leaves_the_evenings_due(services: Services, fake_slack: FakeSlack) -> None:
    add_person(services, fake_slack, Person("UM", "Europe/Berlin"), NOW - timedelta(minutes=1))
    add_person(services, fake_slack, Person("UE", "Asia/Tokyo"), NOW - timedelta(minutes=1))  # 16:00 there
    evening = NOW + timedelta(hours=1)  # 17:00 in Tokyo
    assert tick(services, evening, kinds={"morning"}).sent == 1
    assert received(services, fake_slack) == Counter({("UM", "morning", "2026-06-16"): 1})
    assert tick(services, evening, kinds={"eod"}).sent == 1
    assert received(services, fake_slack)[("UE", "eod", "2026-06-16")] == 1


def test_an_unknown_kind_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="lunch"):
        tick(services, NOW, kinds={"lunch"})


def test_each_snooze_is_a_prompt_of_its_own_sent_once(services: Services, fake_slack: FakeSlack) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    assert tick(services, NOW).sent == 1
    for minutes in (30, 90):
        with services.sessions.begin() as session:
            set_one_shot(
                session, member_id, "morning_snooze", NOW + timedelta(minutes=minutes), date(2026, 6, 16)
            )
        assert tick(services, NOW + timedelta(minutes=minutes), kinds={"eod"}).sent == 0  # not an eod's
        assert tick(services, NOW + timedelta(minutes=minutes), kinds={"morning"}).sent == 1
        assert tick(services, NOW + timedelta(minutes=minutes)).sent == 0
    assert received(services, fake_slack) == Counter(
        {
            ("U1", "morning", "2026-06-16"): 1,
            ("U1", "morning_snooze", "2026-06-16@0730"): 1,
            ("U1", "morning_snooze", "2026-06-16@0830"): 1,
        }
    )


# -- dry run -------------------------------------------------------------------------------------------


def test_a_dry_run_says_who_is_due_changes_nothing_and_agrees_with_the_real_tick(
    services: Services, fake_slack: FakeSlack
) -> None:
    before = NOW - timedelta(hours=4)
    add_person(services, fake_slack, Person("UDUE", "Europe/Berlin"), before)
    add_person(services, fake_slack, Person("ULATE", "Asia/Kolkata"), before)  # 09:00 there was 03:30 UTC
    paused_id = add_person(services, fake_slack, Person("UPAUSED", "Europe/Berlin"), before)
    claimed_id = add_person(services, fake_slack, Person("UCLAIMED", "Europe/Berlin"), before)
    with services.sessions.begin() as session:
        session.get(Member, paused_id).paused = True
        claim(
            session,
            DeliveryKey(TEAM, claimed_id, "morning", "2026-06-16"),
            due_at=NOW,
            now=NOW,
            worker="other",
        )
    slots_before, ledger_before = slots(services), ledger(services)

    dry = tick(services, NOW, dry_run=True)
    assert slots(services) == slots_before and ledger(services) == ledger_before
    assert fake_slack.calls_to("chat.postMessage") == []
    outcomes = {(i.user_id, i.kind, i.period): i.outcome for i in dry.items}
    assert outcomes == {
        ("UDUE", "morning", "2026-06-16"): "sent",
        ("ULATE", "morning", "2026-06-16"): "missed",
        ("UPAUSED", "morning", "2026-06-16"): "skipped",
        ("UCLAIMED", "morning", "2026-06-16"): "already_claimed",
    }
    assert (dry.dry_run, dry.sent, dry.missed, dry.skipped, dry.already_claimed) == (True, 1, 1, 1, 1)
    assert "would send 1" in dry.summary()

    real = tick(services, NOW)
    assert {(i.user_id, i.kind, i.period): i.outcome for i in real.items} == outcomes
    assert received(services, fake_slack) == Counter({("UDUE", "morning", "2026-06-16"): 1})


def test_a_dry_run_after_downtime_lists_every_day_the_real_tick_would_record(
    services: Services, fake_slack: FakeSlack
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), datetime(2026, 6, 15, 0, 0, tzinfo=UTC))
    thursday = datetime(2026, 6, 18, 7, 30, tzinfo=UTC)
    dry = tick(services, thursday, dry_run=True, kinds={"morning"})
    assert [(i.period, i.outcome) for i in dry.items] == [
        ("2026-06-15", "missed"),
        ("2026-06-16", "missed"),
        ("2026-06-17", "missed"),
        ("2026-06-18", "sent"),
    ]
    real = tick(services, thursday, kinds={"morning"})
    assert [(i.period, i.outcome) for i in real.items] == [(i.period, i.outcome) for i in dry.items]


# -- the command line ----------------------------------------------------------------------------------


def cli_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.api_url}


def test_jobs_run_dry_run_prints_who_is_due_and_sends_nothing(
    services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    run = remote_wins(
        "jobs", "run", "morning", "--at", "2026-06-16T09:00:00+02:00", "--dry-run",
        cwd=tmp_path, env=cli_env(fake_slack, database_url),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("remote-wins: morning tick at 2026-06-16T07:00:00Z: dry run")
    assert lines[1:] == ["U1\tmorning\t2026-06-16\twould send"]
    assert fake_slack.calls_to("chat.postMessage") == [] and ledger(services) == []


def test_jobs_run_sends_the_due_prompts_once(
    services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    env = cli_env(fake_slack, database_url)
    run = remote_wins("jobs", "run", "morning", "--at", "2026-06-16T08:00Z", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert (
        run.stdout == "remote-wins: morning tick at 2026-06-16T08:00:00Z: sent 1, failed 0, missed 0, "
        "skipped 0, already claimed 0; retried 0, interrupted 0\n"
    )
    assert tick(services, NOW + timedelta(hours=1)).sent == 0  # the clock, running the same tick after it
    assert received(services, fake_slack) == Counter({("U1", "morning", "2026-06-16"): 1})


@pytest.mark.parametrize("at", ["tomorrow", "2026-06-16T09:00"])  # the second has no offset
def test_jobs_run_with_an_at_that_is_not_an_instant_says_so_in_one_line(tmp_path: Path, at: str) -> None:
    run = remote_wins("jobs", "run", "morning", "--at", at, cwd=tmp_path)
    assert_one_line(run, "--at", "ISO-8601")


def test_jobs_run_of_an_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    run = remote_wins("jobs", "run", "lunch", "--at", "2026-06-16T07:00Z", cwd=tmp_path)
    assert run.returncode == 2
    assert "invalid choice: 'lunch'" in run.stderr
