"""How long one manager's digest takes: the whole of what the clock makes (the window, the week's
queries, the rules, the blocks and the chart's PNG), not the sending.

Why: every Friday the clock builds a digest per manager, and a manager's digest must cost what their
team's week costs, not what the whole wins table costs. This builds the digest of a team of 50 reports
with 100 wins each in the digest's week, in a database of 10,000 wins and then of 1,000,000, on SQLite
and on PostgreSQL, and compares. Targets for the closing note: the whole digest, chart included, within
60 ms (p50); the build alone under 50 ms, and the 1,000,000-win build within 1.5x of the 10,000-win one.
The whole digest is timed as `jobs.digest.weekly_parcel` (in a transaction rolled back each time, so
each run builds the week's first digest) then `bot.chart.wins_chart_png`; the build alone, as before,
is the baseline in the same run. The import of the chart's drawing library, paid once a process, is
timed apart.

    python bench/digest.py [--runs 30] [--sizes 10000,1000000] [--backends sqlite,postgres]

The data: one workspace with the manager, the 50 reports (remote Tue–Thu, in six zones) and 2,000 other
members in other teams; four more workspaces of 500 members each. The team's week holds 5,000 wins
(some 2,000 characters long, some with metrics), 150 plans and a few day overrides; the seven weeks
before hold 10 wins a week per report (what the comparison and the chart read). The rest of each
database is other members' wins, and in the large one also the team's own older wins, over the two years
up to the digest's week, inserted day by day so the team's rows sit among everyone else's as they would
in a real table. Rows are bulk-loaded with Core executemany; each backend gets a fresh database (a
temporary SQLite file; a throwaway PostgreSQL schema, dropped after), migrated by Alembic and analysed.

Prints the median build time of `--runs` builds (after 3 warm-ups), split into queries, rules and
blocks, with the fastest build beside it; the ratio of the large build to the small one; PASS/MISS per
target (on the medians); and a yardstick, a fixed Python loop timed before and after, because on a
shared machine the CPU's speed varies more than the code does. The databases of one backend are loaded
first and then measured in turns, so a slow moment weighs on both sides of the ratio alike. Exits 0
whatever the figures are: it is a benchmark, not a test. Exits 1 only when setup fails.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/digest.py`: make the project importable

import sqlalchemy as sa  # noqa: E402
from schemas import postgres_schema  # noqa: E402

from bot.blocks.digest import digest_messages  # noqa: E402
from bot.chart import wins_chart_png  # noqa: E402
from jobs.digest import weekly_parcel  # noqa: E402
from rules.calendar import DateRange  # noqa: E402
from rules.digest import build_digest, chart_range, week_range  # noqa: E402
from rules.plans import PlanStatus  # noqa: E402
from rules.schedule import DIGEST  # noqa: E402
from storage.db import create_db_engine, session_factory  # noqa: E402
from storage.digest import digest_inputs  # noqa: E402
from storage.models import DayOverride, Member, Plan, Win, Workspace  # noqa: E402
from storage.schema import upgrade  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WEEK = "2026-W48"
TEAM, WINS_EACH, HISTORY_EACH = 50, 100, 10  # reports; wins each in the week; wins each per week before
OTHER_MEMBERS, OTHER_WORKSPACES, OTHER_WORKSPACE_MEMBERS = 2000, 4, 500
SPAN_DAYS = 730  # filler wins spread over the two years up to the digest's week
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC", "Australia/Sydney", "America/Chicago")
CATEGORIES = ("shipped", "decision", "unblocked", "helped", "learned", "metric", "other")
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
BATCH = 10_000
TARGET_MS, TARGET_RATIO = 50.0, 1.5
WHOLE_TARGET_MS = 60.0  # the whole digest, chart included, for 50 reports × 100 wins


@dataclass
class Figures:
    backend: str
    size: int
    total: float  # median milliseconds
    queries: float
    rules: float
    blocks: float
    messages: int
    best: float  # the fastest build: what the code costs when nothing else wants the CPU
    whole: float = 0.0  # median ms of the whole digest as the clock makes it: window, build, blocks, chart
    parcel: float = 0.0  # of which the parcel (window, queries, rules, blocks)
    chart: float = 0.0  # of which the chart's PNG
    first: float = 0.0  # ms of the first whole digest on the database's fresh engine: nothing cached yet

    @property
    def whole_ratio(self) -> float:
        """The whole digest over the build alone (the baseline, same run)."""
        return self.whole / self.total if self.total else 0.0


# -- the data ---------------------------------------------------------------------------------------------


def _text(rng: random.Random, long: bool) -> str:
    words = ("shipped", "reviewed", "the", "Q3", "report", "fixed", "flaky", "tests", "&", "<migration>")
    count = 300 if long else rng.randint(4, 24)
    return " ".join(rng.choice(words) for _ in range(count))[: 2000 if long else 200]


def _win(
    rng: random.Random, member_id: int, workspace: str, day: date, kind: str, long: bool = False
) -> dict:
    metric = rng.random() < 0.3
    return {
        "member_id": member_id,
        "workspace_id": workspace,
        "text": _text(rng, long),
        "category": rng.choice(CATEGORIES),
        "metric_name": "tickets closed" if metric else None,
        "metric_value": float(rng.randint(1, 20)) if metric else None,
        "link": None,
        "local_date": day,
        "day_kind": kind,
        "source": "command",
        "source_ref": None,
        "private": rng.random() < 0.05,
        "created_at": logged_at(day),
    }


def logged_at(day: date) -> datetime:
    """When a win of `day` was logged: that day, as members do, and never after the digest is built."""
    return min(datetime.combine(day, time_of_day(12), tzinfo=UTC), NOW - timedelta(hours=1))


def _members(connection: sa.Connection) -> tuple[list[int], list[tuple[int, str]]]:
    """The manager, the team and everyone else; returns the team's ids and (id, workspace) of the others."""
    workspaces = ["T1", *(f"T{i}" for i in range(2, 2 + OTHER_WORKSPACES))]
    connection.execute(sa.insert(Workspace), [{"id": w, "created_at": NOW} for w in workspaces])
    joined = NOW - timedelta(days=SPAN_DAYS + 30)

    def member(user: str, workspace: str, manager: str | None, i: int) -> dict:
        return {
            "workspace_id": workspace,
            "user_id": user,
            "tz": ZONES[i % len(ZONES)],
            "display_name": f"Person {user}",
            "tz_checked_at": NOW,
            "created_at": joined,
            "remote_days": 0b01110,
            "manager_user_id": manager,
        }

    rows = [member("UMANAGER", "T1", None, 1)]
    rows += [member(f"UR{i:03d}", "T1", "UMANAGER", i) for i in range(TEAM)]
    rows += [member(f"UO{i:05d}", "T1", f"UMGR{i // 10:04d}", i) for i in range(OTHER_MEMBERS)]
    for w in workspaces[1:]:
        rows += [member(f"U{w}{i:04d}", w, f"UMGR{i // 10:04d}", i) for i in range(OTHER_WORKSPACE_MEMBERS)]
    connection.execute(sa.insert(Member), rows)
    ids = connection.execute(sa.select(Member.id, Member.workspace_id, Member.user_id)).all()
    team = [i for i, _, user in ids if user.startswith("UR")]
    others = [(i, w) for i, w, user in ids if not user.startswith(("UR", "UMANAGER"))]
    return team, others


def _rows(size: int, team: list[int], others: list[tuple[int, str]], seed: int = 7) -> Iterator[list[dict]]:
    """Every win of the database, day by day in date order, in batches."""
    rng = random.Random(seed)
    period = week_range(WEEK)
    history = DateRange(chart_range(period).first, period.first - timedelta(days=1))  # the weeks before
    team_rows = TEAM * WINS_EACH + TEAM * HISTORY_EACH * (history.days // 7)
    filler = size - team_rows
    if filler < 0:
        raise SystemExit(f"--sizes: {size} is smaller than the team's own {team_rows} wins")
    older_team = filler // 20 if size >= 100_000 else 0  # the team's own wins from before the chart's weeks
    first = period.last - timedelta(days=SPAN_DAYS - 1)
    days = [first + timedelta(days=d) for d in range(SPAN_DAYS)]
    per_day, extra = divmod(filler - older_team, SPAN_DAYS)
    older_days = [d for d in days if d < history.first]
    older_per_day, older_extra = divmod(older_team, len(older_days))
    batch: list[dict] = []
    for n, day in enumerate(days):
        kind = "remote" if day.weekday() in (1, 2, 3) else "office"
        for _ in range(per_day + (n < extra)):
            member_id, workspace = rng.choice(others)
            batch.append(_win(rng, member_id, workspace, day, kind))
        if day < history.first:
            k = older_days.index(day) if older_team else 0
            for _ in range(older_per_day + (k < older_extra) if older_team else 0):
                batch.append(_win(rng, rng.choice(team), "T1", day, kind))
        else:
            batch += _team_wins(rng, team, day, kind, period)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _team_wins(rng: random.Random, team: list[int], day: date, kind: str, period: DateRange) -> list[dict]:
    """The team's wins of a day in the chart's weeks: 10 a week each before the digest's week (on
    weekdays), `WINS_EACH` in it."""
    rows = []
    if day < period.first and day.weekday() < 5:
        for member_id in team:
            for _ in range(HISTORY_EACH // 5):
                rows.append(_win(rng, member_id, "T1", day, kind) | {"private": False})
    elif day >= period.first:
        share = WINS_EACH // 7 + (day.weekday() < WINS_EACH % 7)
        for member_id in team:
            for _ in range(share):
                long = rng.random() < 0.05
                rows.append(_win(rng, member_id, "T1", day, kind, long) | {"private": False})
    return rows


def load(url: str, size: int) -> None:
    """Migrate, bulk-load `size` wins and the team's plans and overrides, then analyse."""
    upgrade(url)
    engine = create_db_engine(url)
    loaded = 0
    with engine.begin() as connection:
        team, others = _members(connection)
        for batch in _rows(size, team, others):
            connection.execute(sa.insert(Win), batch)
            loaded += len(batch)
        period = week_range(WEEK)
        plans = [
            {
                "member_id": member_id,
                "local_date": period.first + timedelta(days=d),
                "status": PlanStatus.SUMMARIZED,
                "items": ["write the spec", "review two PRs", "ship the fix", "answer support"],
                "done": [0, 1, 2] if d != 2 else [0],
                "blockers": "got access to the staging database",
                "signed_off": "17:30",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for member_id in team
            for d in (1, 2, 3)
        ]
        connection.execute(sa.insert(Plan), plans)
        overrides = [{"member_id": team[i], "local_date": period.first, "kind": "remote"} for i in range(5)]
        connection.execute(sa.insert(DayOverride), overrides)
    assert loaded == size, (loaded, size)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


# -- the measurement ------------------------------------------------------------------------------------


def measure(backend: str, urls: dict[int, str], runs: int) -> list[Figures]:
    """Median build times per database, the databases taking turns so that both see the same machine."""
    samples, messages, manager_id = _builds(urls, runs)
    wholes, firsts = _whole_digests(backend, urls, runs, manager_id)
    return [
        _figures(backend, size, rows, wholes[size], messages, firsts[size]) for size, rows in samples.items()
    ]


def _builds(
    urls: dict[int, str], runs: int
) -> tuple[dict[int, list[tuple[float, float, float, float]]], int, int]:
    """The build alone (queries, rules, blocks), `runs` times per database after 3 warm-ups: the samples,
    the number of messages, and the manager's member id."""
    engines = {size: create_db_engine(url) for size, url in urls.items()}
    sessions = {size: session_factory(engine) for size, engine in engines.items()}
    samples: dict[int, list[tuple[float, float, float, float]]] = {size: [] for size in urls}
    messages = 0
    for run in range(runs + 3):
        for size, factory in sessions.items():
            start = time.perf_counter()
            with factory() as session:
                inputs = digest_inputs(session, "T1", "UMANAGER", WEEK, now=NOW + timedelta(minutes=1))
            fetched = time.perf_counter()
            digest = build_digest(inputs)
            built = time.perf_counter()
            messages = len(digest_messages(digest))
            end = time.perf_counter()
            # A first digest covers the past 7 days (storage/windows.py): the week's wins and a few before.
            assert digest.team.reports == TEAM and digest.team.wins >= TEAM * WINS_EACH, digest.team
            if run >= 3:  # the first builds warm the pool, the caches and the statement cache
                samples[size].append((end - start, fetched - start, built - fetched, end - built))
    with sessions[min(sessions)]() as session:
        manager_id = session.scalars(
            sa.select(Member.id).filter_by(workspace_id="T1", user_id="UMANAGER")
        ).one()
    for engine in engines.values():
        engine.dispose()
    return samples, messages, manager_id


def _whole_digests(
    backend: str, urls: dict[int, str], runs: int, manager_id: int
) -> tuple[dict[int, list[tuple[float, float, float]]], dict[int, float]]:
    """The whole digest as the clock makes it (parcel, then chart), `runs` times per database after 3
    warm-ups: the samples, and the milliseconds of each database's first one."""
    wholes: dict[int, list[tuple[float, float, float]]] = {size: [] for size in urls}
    firsts: dict[int, float] = {}
    # Fresh engines: the first whole digest opens new connections and compiles its statements, as a
    # clock's first digest of the day does.
    engines = {size: create_db_engine(url) for size, url in urls.items()}
    sessions = {size: session_factory(engine) for size, engine in engines.items()}
    for run in range(runs + 3):
        for size, factory in sessions.items():
            start = time.perf_counter()
            with factory.begin() as session:  # rolled back: every run builds the week's first digest
                parcel = weekly_parcel(session, manager_id, DIGEST, WEEK, NOW, NOW + timedelta(minutes=1))
                assert parcel is not None and parcel.chart is not None
                session.rollback()
            built = time.perf_counter()
            png = wins_chart_png(parcel.chart)
            end = time.perf_counter()
            assert png.startswith(b"\x89PNG")
            if run >= 3:
                wholes[size].append((end - start, built - start, end - built))
            firsts.setdefault(size, 1000 * (end - start))
            if backend == "postgres":  # untimed: a rolled-back build leaves 5,000 dead row versions, which
                # a week between real builds would have vacuumed; without this each run reads the last's
                with engines[size].connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM wins, plans, digests"
                    )
    for engine in engines.values():
        engine.dispose()
    return wholes, firsts


def _figures(
    backend: str,
    size: int,
    rows: list[tuple[float, float, float, float]],
    wholes: list[tuple[float, float, float]],
    messages: int,
    first: float,
) -> Figures:
    """One database's medians (ms), from its samples."""
    total, queries, rules, blocks = (1000 * statistics.median(column) for column in zip(*rows, strict=True))
    best = 1000 * min(row[0] for row in rows)
    whole, parcel_ms, chart_ms = (1000 * statistics.median(column) for column in zip(*wholes, strict=True))
    return Figures(
        backend, size, total, queries, rules, blocks, messages, best, whole, parcel_ms, chart_ms, first
    )


def import_cost(runs: int = 5) -> tuple[float, float]:
    """Milliseconds to start a Python that imports the chart's module (and its drawing library), and one
    that imports nothing: the first digest a clock process draws pays the difference."""

    def start(code: str) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times)

    return start("import bot.chart"), start("pass")


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh, empty database URL: a temporary SQLite file, or a PostgreSQL schema dropped after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-digest-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    with postgres_schema(PG_URL, "bench_digest") as url:
        yield url


def postgres_answers() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as error:
        return str(error).splitlines()[0]
    return None


def cpu_yardstick() -> float:
    """Milliseconds for a fixed pure-Python loop (median of 5): how fast this machine is right now."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def report(figures: list[Figures], imports: tuple[float, float] | None = None) -> None:
    print()
    print(
        "the whole digest, as the clock makes it (jobs.digest.weekly_parcel: the window, the week, the "
        "blocks; then the chart's PNG),\nagainst the build alone (queries + rules + blocks, the baseline, "
        "same run); medians"
    )
    columns = ("wins in db", "whole p50", "parcel", "chart", "build only", "ratio", "first")
    print(
        f"{'backend':<10} " + " ".join(f"{c:>11}" for c in columns) + f"  target <= {WHOLE_TARGET_MS:.0f} ms"
    )
    for f in figures:
        times = " ".join(f"{ms:>9.1f}ms" for ms in (f.whole, f.parcel, f.chart, f.total))
        verdict = "PASS" if f.whole <= WHOLE_TARGET_MS else "MISS"
        print(f"{f.backend:<10} {f.size:>11,} {times} {f.whole_ratio:>10.2f}x {f.first:>9.1f}ms  {verdict}")
    print("first: the first whole digest on a fresh engine (new connections, statements compiled anew;")
    print("       the operating system's file cache is as the build-only runs left it)")
    if imports is not None:
        with_chart, bare = imports
        print(
            f"a process's first chart also imports the drawing library: python -c 'import bot.chart' "
            f"{with_chart:.0f} ms vs an empty python {bare:.0f} ms "
            f"({with_chart / bare:.1f}x, +{with_chart - bare:.0f} ms)"
        )
    print()
    print("the build alone (what the table below always measured)")
    build_columns = ("wins in db", "build p50", "queries", "rules", "blocks", "best")
    print(f"{'backend':<10} " + " ".join(f"{c:>11}" for c in build_columns) + "  messages")
    for f in figures:
        times = " ".join(f"{ms:>9.1f}ms" for ms in (f.total, f.queries, f.rules, f.blocks, f.best))
        print(f"{f.backend:<10} {f.size:>11,} {times}  {f.messages}")
    print()
    for backend in dict.fromkeys(f.backend for f in figures):
        mine = sorted((f for f in figures if f.backend == backend), key=lambda f: f.size)
        for f in mine:
            verdict = "PASS" if f.total < TARGET_MS else "MISS"
            print(f"{backend}: {f.size:,} wins: {f.total:.1f} ms (target < {TARGET_MS:.0f} ms) {verdict}")
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            ratio = large.total / small.total
            verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
            print(
                f"{backend}: {large.size:,}/{small.size:,} ratio {ratio:.2f}x "
                f"(target <= {TARGET_RATIO}x) {verdict}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30, help="timed builds per database (default 30)")
    parser.add_argument("--sizes", default="10000,1000000", help="wins in each database, comma-separated")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    figures: list[Figures] = []
    yardstick = cpu_yardstick()
    for backend in backends:
        if backend == "postgres" and (why := postgres_answers()):
            print(f"postgres: skipped, no server at {PG_URL}: {why}")
            continue
        with ExitStack() as stack:
            urls = {size: stack.enter_context(database(backend)) for size in sizes}
            for size, url in urls.items():
                started = time.perf_counter()
                try:
                    load(url, size)
                except Exception as error:
                    print(f"{backend}: loading {size:,} wins failed: {error}", file=sys.stderr)
                    return 1
                print(f"{backend}: loaded {size:,} wins in {time.perf_counter() - started:.0f} s", flush=True)
            figures += measure(backend, urls, args.runs)
    report(figures, import_cost())
    # The figures are wall-clock medians: say how fast and how busy the machine was while they were taken.
    print(
        f"yardstick (1,000,000-step Python loop): {yardstick:.0f} ms before, {cpu_yardstick():.0f} ms after"
    )
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
