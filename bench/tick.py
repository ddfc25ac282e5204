"""How long a tick takes: choosing who is due in a busy minute (10,000 of 100,000 members), and
delivering prompts against the limits Slack actually enforces.

Why: the clock ticks every minute for every workspace in one database, so choosing who is due must stay
linear in the slots due, whatever the table holds (target: the whole selection under 100 ms, on SQLite
and PostgreSQL); and at 09:00 in a busy zone a tick sends thousands of prompts against Slack's rate
limits, which the clock can only assume, so delivery must adapt to what Slack enforces without losing
or doubling a prompt.

    python bench/tick.py [--members 100000] [--prompts 10000] [--runs 9] [--deliver 400] [--no-postgres]

Members are spread over every IANA zone (zoneinfo.available_timezones()), with remote weekdays and
morning and end-of-day times, and their slots are computed by the same rules as `reschedule`. The busy
minute is 07:00 UTC on a Tuesday in June: 09:00 in every Central European zone. `--prompts` of the
members are due exactly then (remote every day, their morning at that minute), others as chance has it.

Selection: what `run_tick` does before it claims anything (the sweep of dead claims, the retry query,
then `due_slots` page by page to the last slot due, then the slots ordered workspace by workspace),
median of `--runs`, on SQLite and on PostgreSQL (a
throwaway schema, dropped after); against the same slots read by one unpaged query in the same run.
Delivery: for each scenario (the fake Slack's limits: Slack's published 20/s a workspace and 1/s a
channel; a workspace held to 10/s; a 429 storm with Retry-After), `run_tick` sends `--deliver` prompts
with the pace fixed at 90% of 20/s (the baseline) and with the adaptive pace, each on a fresh database.

Exits 0 whatever the figures are: it is a benchmark, not a test. Exits 1 only when setup fails.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo, available_timezones

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/tick.py`: make the project and `tests` importable

import sqlalchemy as sa  # noqa: E402
from schemas import postgres_schema  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bot.app import build_services  # noqa: E402
from bot.sender import RateLimits, Sender  # noqa: E402
from bot.services import Services  # noqa: E402
from jobs.tick import (  # noqa: E402
    BATCH_SIZE,
    INTERRUPTED_AFTER,
    _in_turn,
    _pages,
    _retry_candidates,
    _slot_kinds,
    run_tick,
)
from remote_wins.config import Settings  # noqa: E402
from rules.deliveries import PROMPT_KINDS  # noqa: E402
from rules.plans import PlanStatus  # noqa: E402
from rules.schedule import next_prompt  # noqa: E402
from storage.db import create_db_engine, session_factory  # noqa: E402
from storage.ledger import sweep_interrupted  # noqa: E402
from storage.models import Delivery as DeliveryRow  # noqa: E402
from storage.models import Member, Plan, PromptSlot, Workspace  # noqa: E402
from storage.plans import due_held  # noqa: E402
from storage.schedules import due_slots, schedule_of  # noqa: E402
from storage.schema import upgrade  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

TEAM = "T0001"  # the fake Slack's team
MANAGER = "UBOSS0001"  # the manager of the one-channel scenario
ONE_CHANNEL_POSTS = 30  # its posts: at 1/s a channel, half a minute at the least
BUSY = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # Tuesday; 09:00 CEST
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PER_WORKSPACE, PER_CHANNEL = 20, 1  # chat.postMessage a second, as Slack roughly allows
SELECT_TARGET_MS, DELIVERY_TARGET = 100.0, 0.80
MORNINGS = (8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60, 9 * 60, 9 * 60 + 30, 10 * 60)  # 09:00 most often
EVENINGS = (16 * 60, 16 * 60 + 30, 17 * 60, 17 * 60, 17 * 60 + 30, 18 * 60)


# -- the data -------------------------------------------------------------------------------------------


@dataclass
class Population:
    members: list[dict[str, Any]]
    slots: list[dict[str, Any]]
    due: list[str]  # user ids of the members due at the busy minute by construction
    zones: int


def population(size: int, prompts: int, seed: int = 20260616) -> Population:
    """Members over every zone; every `size // prompts`-th is due at the busy minute, the rest random."""
    zones = sorted(available_timezones())
    # Held for the whole computation: ZoneInfo caches zones weakly, and reading 600 zone files over and
    # over would make setup, not the measurement, the slow part.
    loaded = [ZoneInfo(tz) for tz in zones]
    rng = random.Random(seed)
    step = max(1, size // prompts)
    created = BUSY - timedelta(days=30)
    members: list[dict[str, Any]] = []
    due: list[str] = []
    for i in range(size):
        tz = zones[i % len(zones)]
        if i % step == 0 and len(due) < prompts:
            local = BUSY.astimezone(ZoneInfo(tz))
            morning = local.hour * 60 + local.minute
            evening, remote, user_id = (morning + 12 * 60) % (24 * 60), 0b1111111, f"UD{i:07d}"
            due.append(user_id)
        else:
            morning, evening, user_id = rng.choice(MORNINGS), rng.choice(EVENINGS), f"UM{i:07d}"
            remote = sum(1 << day for day in rng.sample(range(5), rng.choice((0, 1, 2, 2, 3, 3, 4))))
        members.append(
            {
                "id": i + 1,
                "workspace_id": TEAM,
                "user_id": user_id,
                "tz": tz,
                "display_name": user_id.lower(),
                "tz_checked_at": created,
                "created_at": created,
                "tz_override": None,
                "remote_days": remote,
                "morning_minute": morning,
                "eod_minute": evening,
                "manager_user_id": None,
                "share_to": "self",
                "share_channel_id": None,
                "paused": False,
                "deactivated": False,
            }
        )
    slots = slots_for(members)
    del loaded
    return Population(members, slots, due, len(zones))


def slots_for(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each member's next prompts as of the minute before the busy one, by the rules `reschedule` uses."""
    after = BUSY - timedelta(minutes=1)
    slots = []
    for row in members:
        schedule = schedule_of(SimpleNamespace(**row))  # type: ignore[arg-type]  # the columns it reads
        for kind in PROMPT_KINDS:
            nxt = next_prompt(schedule, kind, after, {})
            if nxt is not None:
                slots.append({"member_id": row["id"], "kind": kind, "due_at": nxt[0], "local_date": nxt[1]})
    return slots


def load(engine: sa.Engine, people: Population) -> float:
    """Bulk insert (Core executemany) and analyze; the seconds it took."""
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": TEAM, "created_at": BUSY - timedelta(days=30)}])
        connection.execute(insert(Member), people.members)
        connection.execute(insert(PromptSlot), people.slots)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


# -- the measurements -----------------------------------------------------------------------------------


@dataclass
class SelectionFigures:
    backend: str
    setup_s: float
    due: int
    returned: int
    timings_ms: list[float]  # the clock's whole selection: sweep, retry query, every page of due slots
    baseline_ms: list[float]  # the same rows in one query, no paging: the least a reading can cost
    first_page_ms: list[float]
    last_page_ms: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def ratio(self) -> float:
        return self.median_ms / statistics.median(self.baseline_ms)

    @property
    def page_share(self) -> float:
        """A page's time over its share of the baseline (BATCH_SIZE of the due rows): about 1 when each
        page reads only its own rows, about pages when each page sorts every due slot again."""
        share = statistics.median(self.baseline_ms) * BATCH_SIZE / max(self.due, 1)
        pages = statistics.median(self.first_page_ms + self.last_page_ms)
        return pages / share


def measure_selection(backend: str, engine: sa.Engine, setup_s: float, runs: int) -> SelectionFigures:
    """The clock's question, "who is due now?", as `run_tick` asks it: the sweep of dead claims and the
    retry query in one transaction, then `due_slots` page by page (`jobs.tick._pages`, BATCH_SIZE a
    page, each slot with its member's workspace) to the last due slot, then their order workspace by
    workspace (`jobs.tick._in_turn`); each from opening its session to having the rows. The baseline, in
    the same run: the same slots read by one unpaged query."""
    sessions = session_factory(engine)
    services = cast("Services", SimpleNamespace(sessions=sessions))  # a stand-in: `_pages` reads only this
    kinds = _slot_kinds(None)
    with sessions() as session:
        due = session.scalar(select(func.count()).select_from(PromptSlot).where(PromptSlot.due_at <= BUSY))
    returned = sum(1 for _ in _pages(services, BUSY, kinds, BATCH_SIZE))  # also the warm-up
    timings, baseline, first_page, last_page = [], [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        with sessions.begin() as session:
            sweep_interrupted(session, claimed_before=BUSY - INTERRUPTED_AFTER, now=BUSY)
            _retry_candidates(session, BUSY, kinds)
        _in_turn(list(_pages(services, BUSY, kinds, BATCH_SIZE)))
        timings.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        with sessions() as session:
            due_slots(session, BUSY, BATCH_SIZE, kinds=kinds)
        first_page.append(1000 * (time.perf_counter() - started))
        with sessions() as session:
            last = due_slots(session, BUSY, int(due or 0) + 1, kinds=kinds)
        after = last[-(BATCH_SIZE + 1)] if len(last) > BATCH_SIZE else None
        started = time.perf_counter()
        with sessions() as session:
            due_slots(session, BUSY, BATCH_SIZE, kinds=kinds, after=after)
        last_page.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        with sessions() as session:
            due_slots(session, BUSY, int(due or 0) + 1, kinds=kinds)
        baseline.append(1000 * (time.perf_counter() - started))
    return SelectionFigures(
        backend, setup_s, int(due or 0), returned, timings, baseline, first_page, last_page
    )


@dataclass(frozen=True)
class Scenario:
    """What Slack enforces during a delivery (the fake's limits), not what the clock assumes (20/s)."""

    name: str
    per_workspace: float
    storm_seconds: float = 0  # from the start, every send is answered 429 with Retry-After 1 for this long
    one_channel: bool = False  # plans held for one manager's morning, all posted to that manager's DM


SCENARIOS = (
    Scenario("Slack's published limit: 20/s a workspace, 1/s a channel", PER_WORKSPACE),
    Scenario("a workspace held to 10/s (its budget shared, a lower tier)", 10),
    Scenario("a 429 storm: every send refused for 10 s, Retry-After 1", PER_WORKSPACE, 10),
    Scenario("held plans of a team, all to its manager's DM: 1/s a channel", PER_WORKSPACE, one_channel=True),
)


@dataclass
class DeliveryFigures:
    scenario: Scenario
    adaptive: bool
    prompts: int
    seconds: float
    ticks: int
    sent_reported: int
    messages: int
    recipients: int
    doubled: int
    missing: int
    ledger: Counter[str]
    ratelimited: int

    @property
    def fastest(self) -> float:
        """The least time Slack's limits allow, the storm's refusals included: the baseline."""
        rate = PER_CHANNEL if self.scenario.one_channel else self.scenario.per_workspace
        return self.prompts / rate + self.scenario.storm_seconds

    @property
    def fraction(self) -> float:
        return self.fastest / self.seconds if self.seconds else 0.0

    @property
    def intact(self) -> bool:
        return (
            self.messages == self.recipients == self.prompts
            and not self.doubled
            and not self.missing
            and self.ledger == Counter({"sent": self.prompts})
        )


def held_for_one_manager(engine: sa.Engine, people: Population) -> None:
    """Every member shares with one manager, whose working day starts at the busy minute: each member's
    posted plan was held for it (`plans.held_until`) and now goes, all of them to the manager's DM."""
    manager = {**people.members[0], "id": len(people.members) + 1, "user_id": MANAGER}
    with engine.begin() as connection:
        connection.execute(insert(Member), [manager])
        connection.execute(
            sa.update(Member)
            .where(Member.id != manager["id"])
            .values(share_to="manager", manager_user_id=MANAGER)
        )
        connection.execute(sa.delete(PromptSlot))
        plans = [
            {
                "member_id": row["id"],
                "local_date": BUSY.date(),
                "status": PlanStatus.POSTED,
                "items": [f"the plan of {row['user_id']}"],
                "held_until": BUSY,
                "created_at": BUSY - timedelta(hours=10),
                "updated_at": BUSY - timedelta(hours=10),
            }
            for row in people.members
        ]
        connection.execute(insert(Plan), plans)


def measure_delivery(scenario: Scenario, adaptive: bool, prompts: int) -> DeliveryFigures:
    """Time `run_tick` (ticking again while prompts are left, as the clock would a minute later) sending
    `prompts` due prompts (or held plans) through the fake Slack enforcing `scenario`; a fresh SQLite
    database each."""
    people = population(prompts, prompts)
    with sqlite_database() as url, FakeSlack() as fake:
        engine = create_db_engine(url)
        load(engine, people)
        if scenario.one_channel:
            held_for_one_manager(engine, people)
            fake.add_user(MANAGER)
        for user_id in people.due:
            fake.add_user(user_id)
        fake.rate_limit(per_workspace_per_second=scenario.per_workspace, per_channel_per_second=PER_CHANNEL)
        if scenario.storm_seconds:
            fake.fail_next("chat.postMessage", status=429, retry_after=1, times=10**9)
            threading.Timer(scenario.storm_seconds, _calm, args=(fake,)).start()
        services = build_services(settings(fake, url))
        sender = Sender(services.client, limits=RateLimits(adaptive=adaptive))
        try:
            started, ticks, sent, at = time.perf_counter(), 0, 0, BUSY
            while ticks < 20:
                report = run_tick(services, at, worker="bench", sender=sender)
                ticks, sent, at = ticks + 1, sent + report.sent, at + timedelta(minutes=1)
                with services.sessions() as session:
                    left = session.scalar(
                        select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status != "sent")
                    )
                    if not left and not due_slots(session, at, limit=1) and not due_held(session, at, 1):
                        break
            seconds = time.perf_counter() - started
        finally:
            services.close()
        with engine.connect() as connection:
            rows = connection.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status))
            ledger = Counter({status: count for status, count in rows})
        engine.dispose()
        if scenario.one_channel:  # who each post is from, by the plan it carries
            counts = Counter(
                user for m in fake.messages for user in people.due if f"the plan of {user}" in str(m.blocks)
            )
        else:
            counts = Counter("U" + m.channel[1:] for m in fake.messages)
        return DeliveryFigures(
            scenario=scenario,
            adaptive=adaptive,
            prompts=len(people.due),
            seconds=seconds,
            ticks=ticks,
            sent_reported=sent,
            messages=len(fake.messages),
            recipients=len(counts),
            doubled=sum(1 for n in counts.values() if n > 1),
            missing=len(set(people.due) - counts.keys()),
            ledger=ledger,
            ratelimited=fake.ratelimited["chat.postMessage"],
        )


def _calm(fake: FakeSlack) -> None:
    """The storm ends: the faults still scripted are dropped."""
    with fake._lock:
        fake._faults.clear()


def settings(fake: FakeSlack, url: str) -> Settings:
    return Settings(
        bot_token=fake.bot_token,
        signing_secret=None,
        app_token=None,
        slack_api_url=fake.api_url,
        database_url=url,
        port=0,
        web_concurrency=1,
        log_level="WARNING",
    )


# -- the databases --------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="tick-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        yield url


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    """A throwaway schema on the server, migrated; dropped afterwards whatever happens."""
    with postgres_schema(base, "bench_tick") as url:
        upgrade(url)
        yield url


def postgres_answers(base: str) -> str | None:
    """None when the server answers, else why not."""
    engine = sa.create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


# -- the report -----------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    selections: list[SelectionFigures], deliveries: list[DeliveryFigures], runs: int, members: int
) -> None:
    print(
        f"\nwho is due at {BUSY:%Y-%m-%d %H:%MZ} (the busy minute), as the clock asks it: sweep + retry "
        f"query + every page of {BATCH_SIZE} due slots; median of {runs} runs.\nBaseline (same run): the "
        "same slots in one unpaged query. A page's cost is shown over its share of the baseline."
    )
    header = (
        f"{'backend':<10} | {'members':>7} | {'slots due':>9} | {'returned':>8} | {'setup s':>7} | "
        f"{'clock ms':>8} | {'baseline':>8} | {'ratio':>6} | {'page/share':>10} | "
        f"target < {SELECT_TARGET_MS:.0f} ms in all"
    )
    print(header)
    print("-" * len(header))
    for s in selections:
        print(
            f"{s.backend:<10} | {members:>7} | {s.due:>9} | {s.returned:>8} | {s.setup_s:>7.1f} | "
            f"{s.median_ms:>8.1f} | {statistics.median(s.baseline_ms):>8.1f} | {s.ratio:>5.2f}x | "
            f"{s.page_share:>9.2f}x | {verdict(s.median_ms < SELECT_TARGET_MS)}"
        )
    if not deliveries:
        return
    print(
        f"\ndelivery: run_tick sending {deliveries[0].prompts} prompts (each to its own DM; the held plans "
        f"all to one) through the fake "
        f"Slack, which enforces the scenario's limits with 429 + Retry-After. The clock assumes "
        f"{PER_WORKSPACE}/s and paces at 90% of it;\n'fixed' keeps that pace whatever Slack says (the "
        "baseline, same run), 'adaptive' slows on each 429 and recovers on each send that goes through.\n"
        "'of limit' is the fastest the scenario allows over the time taken."
    )
    header = (
        f"{'scenario':<58} | {'pacing':<8} | {'seconds':>7} | {'fastest':>7} | {'of limit':>8} | "
        f"{'429s':>5} | {'ticks':>5} | {'doubled':>7} | {'missing':>7} | intact"
    )
    print(header)
    print("-" * len(header))
    by_scenario: dict[str, dict[bool, DeliveryFigures]] = {}
    for d in deliveries:
        by_scenario.setdefault(d.scenario.name, {})[d.adaptive] = d
        print(
            f"{d.scenario.name:<58} | {'adaptive' if d.adaptive else 'fixed':<8} | {d.seconds:>7.1f} | "
            f"{d.fastest:>7.1f} | {d.fraction:>8.0%} | {d.ratelimited:>5} | {d.ticks:>5} | {d.doubled:>7} | "
            f"{d.missing:>7} | {'yes' if d.intact else 'NO: ' + str(dict(d.ledger))}"
        )
    print()
    for name, pair in by_scenario.items():
        if True in pair and False in pair:
            speedup = pair[False].seconds / pair[True].seconds
            print(
                f"adaptive over fixed, {name}: {speedup:.2f}x as fast, "
                f"{pair[True].ratelimited} vs {pair[False].ratelimited} 429s"
            )


def cores() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{os.cpu_count()} cores ({usable} usable by this process)"


def run(args: argparse.Namespace) -> int:
    print(f"machine: {cores()}; python {sys.version.split()[0]}; sqlalchemy {sa.__version__}")
    started = time.perf_counter()
    people = population(args.members, args.prompts)
    print(
        f"{len(people.members)} members over {people.zones} zones, {len(people.slots)} slots, "
        f"{len(people.due)} due at the busy minute by construction; computed in "
        f"{time.perf_counter() - started:.1f} s"
    )
    backends: list[tuple[str, Any]] = [("sqlite", sqlite_database())]
    if not args.no_postgres:
        why = postgres_answers(args.postgres_url)
        if why is None:
            backends.append(("postgresql", postgres_database(args.postgres_url)))
        else:
            print(f"postgresql: skipped, {args.postgres_url} does not answer ({why})")
    selections, deliveries = [], []
    for backend, database in backends:
        with database as url:
            engine = create_db_engine(url)
            try:
                setup = load(engine, people)
                print(f"{backend}: loaded in {setup:.1f} s; measuring selection", flush=True)
                selections.append(measure_selection(backend, engine, setup, args.runs))
            finally:
                engine.dispose()
    if args.deliver:
        for scenario in SCENARIOS:
            for adaptive in (False, True):
                print(f"delivery: {scenario.name}, {'adaptive' if adaptive else 'fixed'}", flush=True)
                count = min(args.deliver, ONE_CHANNEL_POSTS) if scenario.one_channel else args.deliver
                deliveries.append(measure_delivery(scenario, adaptive, count))
    report(selections, deliveries, args.runs, args.members)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--members", type=int, default=100_000, help="members in the database (default 100000)"
    )
    parser.add_argument(
        "--prompts", type=int, default=10_000, help="members due at the busy minute (default 10000)"
    )
    parser.add_argument("--runs", type=int, default=9, help="selection runs per backend; the median is shown")
    parser.add_argument(
        "--deliver",
        type=int,
        default=400,
        help="prompts per delivery scenario, 0 for none (default 400; a run takes at least deliver / 20 s)",
    )
    parser.add_argument(
        "--postgres-url", default=PG_URL, help=f"server for the PostgreSQL figures ({PG_URL})"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if not 0 < args.prompts <= args.members:
        parser.error("--prompts must be between 1 and --members")
    signal.signal(signal.SIGTERM, _exit_on_signal)  # so the `finally` that drops the schema runs
    try:
        return run(args)
    except (sa.exc.SQLAlchemyError, OSError) as error:
        print(f"bench/tick.py: setup failed: {error}", file=sys.stderr)
        return 1


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
