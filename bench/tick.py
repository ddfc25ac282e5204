"""How long a tick takes: choosing who is due among 100,000 members, and delivering 1,000 prompts.

Why: the clock ticks every minute for every workspace in one database, so choosing who is due must stay
an index lookup however many members there are (target: under 100 ms); and at 09:00 in a busy zone a
tick sends hundreds of prompts against Slack's rate limit, so delivery must run close to what the limit
allows (target: 80% or more) without losing or doubling a prompt.

    python bench/tick.py [--members 100000] [--prompts 1000] [--runs 9] [--deliver-on both]

Members are spread over every IANA zone (zoneinfo.available_timezones()), with remote weekdays and
morning and end-of-day times, and their slots are computed by the same rules as `reschedule`. The busy
minute is 07:00 UTC on a Tuesday in June: 09:00 in every Central European zone. `--prompts` of the
members are due exactly then (remote every day, their morning at that minute), the rest as chance has it.

Selection: `storage.schedules.due_slots` at the busy minute, median of `--runs`, on SQLite and on
PostgreSQL (a throwaway schema, dropped after). Delivery: the other members due at the busy minute are
cleared, then `run_tick` sends the `--prompts` prompts through the fake Slack, limited to 20
chat.postMessage a second for the workspace and one a second per channel (429 with Retry-After beyond).
The fastest that limit allows is prompts / 20 seconds; the figure is that over the time taken.

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
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/tick.py`: make the project and `tests` importable

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import delete, func, insert, select  # noqa: E402

from bot.app import build_services  # noqa: E402
from jobs.tick import run_tick  # noqa: E402
from remote_wins.config import Settings  # noqa: E402
from rules.schedule import PROMPT_KINDS, next_prompt  # noqa: E402
from storage.db import create_db_engine, session_factory  # noqa: E402
from storage.models import Delivery, Member, PromptSlot, Workspace  # noqa: E402
from storage.schedules import due_slots, schedule_of  # noqa: E402
from storage.schema import upgrade  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

TEAM = "T0001"  # the fake Slack's team
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
    members, due = [], []
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
    timings_ms: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms)


def measure_selection(backend: str, engine: sa.Engine, setup_s: float, runs: int) -> SelectionFigures:
    """One tick's question, "who is due now?", from opening a session to having the rows."""
    sessions = session_factory(engine)
    with sessions() as session:
        due = session.scalar(select(func.count()).select_from(PromptSlot).where(PromptSlot.due_at <= BUSY))
        returned = len(due_slots(session, BUSY))  # also the warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with sessions() as session:
            due_slots(session, BUSY)
        timings.append(1000 * (time.perf_counter() - started))
    return SelectionFigures(backend, setup_s, int(due or 0), returned, timings)


@dataclass
class DeliveryFigures:
    backend: str
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
        return self.prompts / PER_WORKSPACE

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


def measure_delivery(backend: str, url: str, engine: sa.Engine, people: Population) -> DeliveryFigures:
    """Clear everyone but the chosen members from the busy minute, then time run_tick sending to them."""
    due_ids = select(Member.id).where(Member.user_id.in_(people.due))
    with engine.begin() as connection:
        connection.execute(
            delete(PromptSlot).where(PromptSlot.due_at <= BUSY, PromptSlot.member_id.not_in(due_ids))
        )
        connection.execute(delete(Delivery))
    with FakeSlack() as fake:
        for user_id in people.due:
            fake.add_user(user_id)
        fake.rate_limit(per_workspace_per_second=PER_WORKSPACE, per_channel_per_second=PER_CHANNEL)
        services = build_services(settings(fake, url))
        try:
            started, ticks, sent = time.perf_counter(), 0, 0
            while ticks < 10:
                report = run_tick(services, BUSY, worker="bench")
                ticks, sent = ticks + 1, sent + report.sent
                with services.sessions() as session:
                    if not due_slots(session, BUSY, limit=1):
                        break
            seconds = time.perf_counter() - started
        finally:
            services.close()
        with engine.connect() as connection:
            rows = connection.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
            ledger = Counter({status: count for status, count in rows})
        counts = Counter("U" + m.channel[1:] for m in fake.messages)
        expected = set(people.due)
        return DeliveryFigures(
            backend=backend,
            prompts=len(people.due),
            seconds=seconds,
            ticks=ticks,
            sent_reported=sent,
            messages=len(fake.messages),
            recipients=len(counts),
            doubled=sum(1 for n in counts.values() if n > 1),
            missing=len(expected - counts.keys()),
            ledger=ledger,
            ratelimited=fake.ratelimited["chat.postMessage"],
        )


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
    admin = sa.create_engine(base)
    schema = f"bench_tick_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{base}?options=-csearch_path%3D{schema}"
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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
    print(f"\nwho is due: due_slots at {BUSY:%Y-%m-%d %H:%MZ} (busy minute), median of {runs} runs")
    header = (
        f"{'backend':<10} | {'members':>7} | {'slots due':>9} | {'returned':>8} | {'setup s':>7} | "
        f"{'p50 ms':>7} | {'min ms':>7} | {'max ms':>7} | target < {SELECT_TARGET_MS:.0f} ms"
    )
    print(header)
    print("-" * len(header))
    for s in selections:
        print(
            f"{s.backend:<10} | {members:>7} | {s.due:>9} | {s.returned:>8} | {s.setup_s:>7.1f} | "
            f"{s.median_ms:>7.2f} | {min(s.timings_ms):>7.2f} | {max(s.timings_ms):>7.2f} | "
            f"{verdict(s.median_ms < SELECT_TARGET_MS)}"
        )
    if not deliveries:
        return
    print(
        f"\ndelivery: run_tick against the fake Slack at {PER_WORKSPACE}/s per workspace, "
        f"{PER_CHANNEL}/s per channel (429 + Retry-After beyond)"
    )
    header = (
        f"{'backend':<10} | {'prompts':>7} | {'seconds':>7} | {'fastest':>7} | {'of limit':>8} | "
        f"{'429s':>5} | {'recipients':>10} | {'doubled':>7} | {'missing':>7} | {'ledger':<14} | "
        f"target >= {DELIVERY_TARGET:.0%}, intact"
    )
    print(header)
    print("-" * len(header))
    for d in deliveries:
        ledger = ", ".join(f"{k} {v}" for k, v in sorted(d.ledger.items())) or "empty"
        print(
            f"{d.backend:<10} | {d.prompts:>7} | {d.seconds:>7.1f} | {d.fastest:>7.1f} | "
            f"{d.fraction:>8.0%} | {d.ratelimited:>5} | {d.recipients:>10} | {d.doubled:>7} | "
            f"{d.missing:>7} | {ledger:<14} | "
            f"{verdict(d.fraction >= DELIVERY_TARGET and d.intact)}"
        )
    for d in deliveries:
        if d.ticks > 1 or d.sent_reported != d.prompts or d.messages != d.prompts:
            print(
                f"note ({d.backend}): {d.ticks} run_tick calls, {d.sent_reported} reported sent, "
                f"{d.messages} messages seen by the fake"
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
                if args.deliver_on in (backend, "both"):
                    print(f"{backend}: delivering {len(people.due)} prompts", flush=True)
                    deliveries.append(measure_delivery(backend, url, engine, people))
            finally:
                engine.dispose()
    report(selections, deliveries, args.runs, args.members)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--members", type=int, default=100_000, help="members in the database (default 100000)"
    )
    parser.add_argument("--prompts", type=int, default=1000, help="prompts to deliver (default 1000)")
    parser.add_argument("--runs", type=int, default=9, help="selection runs per backend; the median is shown")
    parser.add_argument(
        "--deliver-on",
        choices=("sqlite", "postgresql", "both", "none"),
        default="both",
        help="where to time delivery (default both; each takes at least prompts / 20 seconds)",
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
