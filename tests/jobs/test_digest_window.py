"""A digest covers everything shared since the manager's previous digest: each win, posted plan and plan
outcome reaches the manager in exactly one digest, whatever the day or hour it was recorded."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import Services
from rules.calendar import local_today
from rules.wins import WinDraft
from storage.members import MemberRef
from storage.models import Delivery, DigestRun, Plan, Win
from storage.wins import add_win
from tests.fake_slack import FakeSlack
from tests.jobs.test_digest_delivery import dm, person, text_of
from tests.jobs.test_tick import tick

FIRST = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Fri 27 Nov, 16:00 in Berlin: the first digest
SECOND = FIRST + timedelta(weeks=1)


def save(services: Services, who: MemberRef, day: date, text: str, at: datetime, **kw: object) -> int:
    with services.sessions.begin() as session:
        win = add_win(session, who, WinDraft(text, day, **kw), source="command", source_ref=None, now=at)
    return win.id


def digest_texts(fake: FakeSlack) -> list[str]:
    """Each digest the manager got (its first message and the thread), oldest first."""
    firsts = [m for m in dm(fake, "UM") if m.thread_ts is None]
    return [text_of([m, *(t for t in dm(fake, "UM") if t.thread_ts == m.ts)]) for m in firsts]


def test_work_after_a_digest_is_in_the_next_one_and_backdated_work_says_so(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM", "Europe/Berlin")
    ana = person(services, fake_slack, "UA", "America/Los_Angeles", manager_user_id="UM")
    monday = date(2026, 11, 23)
    save(services, ana, monday, "monday's release", FIRST - timedelta(days=4))
    save(services, ana, date(2026, 11, 27), "friday evening fix", FIRST + timedelta(hours=10))  # 23:00 Berlin
    save(services, ana, date(2026, 11, 28), "saturday write-up", FIRST + timedelta(days=1))
    save(services, ana, date(2026, 11, 25), "forgot wednesday's demo", FIRST + timedelta(days=4))
    assert tick(services, FIRST).sent >= 1
    assert tick(services, SECOND).sent >= 1
    first, second = digest_texts(fake_slack)
    assert "monday's release" in first and "friday evening fix" not in first
    for text in ("friday evening fix", "saturday write-up", "forgot wednesday's demo"):
        assert text in second
    assert "monday's release" not in second
    assert "Everything shared since your last digest (Fri 27 Nov 16:00 your time)" in second
    assert re.search(r"Wed 25 Nov\*.*added since your last digest", second)


def test_a_retried_digest_shows_what_it_showed_and_the_rest_waits(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM", "Europe/Berlin")
    ana = person(services, fake_slack, "UA", "Europe/Berlin", manager_user_id="UM")
    save(services, ana, date(2026, 11, 24), "before the digest", FIRST - timedelta(days=3))
    fake_slack.fail_next("chat.postMessage", status=503, times=6)  # the recap's and the digest's tries
    report = tick(services, FIRST)
    assert report.failed >= 1 and not digest_texts(fake_slack)
    save(services, ana, date(2026, 11, 27), "during the retry", FIRST + timedelta(seconds=30))
    assert tick(services, FIRST + timedelta(minutes=1)).sent >= 1
    [first] = digest_texts(fake_slack)
    assert "before the digest" in first and "during the retry" not in first
    tick(services, SECOND)
    assert "during the retry" in digest_texts(fake_slack)[1]


def test_a_digest_that_never_arrived_gives_its_work_to_the_next(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM", "Europe/Berlin")
    ana = person(services, fake_slack, "UA", "Europe/Berlin", manager_user_id="UM")
    save(services, ana, date(2026, 11, 24), "lost with the first digest", FIRST - timedelta(days=3))
    fake_slack.fail_next("chat.postMessage", error="channel_not_found", times=2)  # refused for good
    tick(services, FIRST)
    assert not digest_texts(fake_slack)
    tick(services, SECOND)
    [only] = digest_texts(fake_slack)
    assert "lost with the first digest" in only
    with services.sessions() as session:
        runs = session.scalars(select(DigestRun)).all()
    assert [(r.week, r.delivered_at is not None) for r in runs] == [("2026-W49", True)]


# -- the simulation -------------------------------------------------------------------------------------

ZONES = ("Pacific/Honolulu", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham")
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # when the slots were computed (SETUP)
WEEKS = 4
STEP = timedelta(minutes=15)


def test_over_a_month_every_piece_of_work_is_in_exactly_one_digest(
    services: Services, fake_slack: FakeSlack
) -> None:
    """Reports from -10:00 to +13:45 save wins at random moments (Friday evenings, weekends, backdated),
    post plans and sign off; the clock ticks every 15 minutes. Each shared win is in exactly one digest
    the manager received, and so is each posted plan and each plan's outcome."""
    rng = random.Random(20261102)
    person(services, fake_slack, "UM", "America/New_York")
    reports = [
        person(services, fake_slack, f"U{n}", tz, manager_user_id="UM") for n, tz in enumerate(ZONES, start=1)
    ]
    saved = work_for_a_month(services, reports, rng)
    last = START + timedelta(weeks=WEEKS) - STEP
    digests = digest_texts(fake_slack)
    assert len(digests) == WEEKS
    with services.sessions() as session:
        wins = {w.id: w for w in session.scalars(select(Win))}
        runs = {r.id: r for r in session.scalars(select(DigestRun))}
        stored_plans = session.scalars(select(Plan)).all()
    built = max(r.built_at for r in runs.values())
    for marker, win_id in saved.items():
        assert_shown_once_if_shared(marker, wins[win_id], digests, runs, built)
    for plan in stored_plans:
        if plan.created_at <= built:
            assert plan.plan_digest_id in runs
        if plan.status == "summarized" and plan.updated_at <= built:
            assert plan.summary_digest_id in runs
    assert last > built
    assert_recaps_in_working_hours(services, reports)


def work_for_a_month(services: Services, reports: list[MemberRef], rng: random.Random) -> dict[str, int]:
    """Wins saved at 80 random moments (some backdated, some private), a plan posted with about a third of
    them; the clock ticking every `STEP` all along. Returns each win's id by the marker in its text."""
    moments = sorted(START + timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60)) for _ in range(80))
    saved: dict[str, int] = {}
    now, n = START, 0
    while now < START + timedelta(weeks=WEEKS):
        while moments and moments[0] <= now:
            at = moments.pop(0)
            who = rng.choice(reports)
            today = local_today(at, who_tz(who, reports))
            day = today - timedelta(days=rng.choice((0, 0, 0, 1, 3, 9)))  # some backdated
            marker = f"w{n:03d}"
            n += 1
            saved[marker] = save(services, who, day, f"{marker} done", at, private=rng.random() < 0.1)
            if rng.random() < 0.3:
                post_plan(services, who, today, at, signed=rng.random() < 0.6)
        tick(services, now)
        now += STEP
    return saved


def assert_shown_once_if_shared(
    marker: str, win: Win, digests: list[str], runs: dict[int, DigestRun], built: datetime
) -> None:
    """A shared win saved before the last digest was built is in exactly one delivered digest; a private
    one in none, and a later one waits for the next digest."""
    times_shown = sum(text.count(f"{marker} done") for text in digests)
    if win.private:
        assert times_shown == 0 and win.digest_id is None
    elif win.created_at <= built:
        assert times_shown == 1, marker
        assert runs[win.digest_id].delivered_at is not None
    else:
        assert times_shown == 0 and win.digest_id is None  # the next digest's


def assert_recaps_in_working_hours(services: Services, reports: list[MemberRef]) -> None:
    with services.sessions() as session:
        recaps = session.execute(
            select(Delivery.member_id, Delivery.claimed_at).where(Delivery.kind == "recap")
        ).all()
    tz_of = {ref.id: tz for ref, tz in zip(reports, ZONES, strict=True)}
    assert len(recaps) >= WEEKS * len(ZONES) - len(ZONES)  # a zone's first recap may fall before START
    for member_id, claimed in recaps:  # each recap reached its report in their working hours
        local = claimed.astimezone(ZoneInfo(tz_of[member_id]))
        assert local.weekday() < 5 and time(9) <= local.time() <= time(18), (tz_of[member_id], local)


def who_tz(who: MemberRef, reports: list[MemberRef]) -> str:
    return ZONES[reports.index(who)]


def post_plan(
    services: Services, who: MemberRef, day: date, at: datetime, *, signed: bool
) -> tuple[int, date]:
    """A plan posted at `at` (and signed off at once when `signed`), as the plan flow records it."""
    with services.sessions.begin() as session:
        if session.scalar(select(Plan.id).filter_by(member_id=who.id, local_date=day)) is not None:
            return who.id, day
        session.add(
            Plan(
                member_id=who.id,
                local_date=day,
                status="summarized" if signed else "posted",
                items=["one", "two"],
                done=[0] if signed else [],
                signed_off="17:00" if signed else None,
                created_at=at,
                updated_at=at,
            )
        )
    return who.id, day
