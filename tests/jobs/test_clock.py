"""The clock: one clock process leads and ticks, any other stands by and takes over when the leader goes,
and however many clocks tick at once, every member gets each prompt once.

Members and their slots are set up directly in the database; prompts are counted on the fake Slack.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from bot.app import build_services
from bot.services import Services
from jobs.clock import Clock, check_interval, tick_instant
from jobs.leader import AdvisoryLock, FileLock, OnlyClock, leadership_for, lock_key
from remote_wins.config import Settings
from remote_wins.server import GunicornServer, _start_worker_clock, runs_clock_in_process
from rules.calendar import utc_now
from storage.db import create_db_engine
from storage.models import Delivery, Member, Workspace
from storage.schedules import reschedule
from storage.upsert import insert_ignore
from tests.conftest import PG_URL
from tests.fake_slack import FakeSlack
from tests.remote_wins.test_cli import assert_one_line, remote_wins
from tests.remote_wins.test_serve_process import Server
from tests.support import CliProcess, free_port, wait_until

TEAM = "T0001"  # the fake Slack's team
NOW = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # a Tuesday, far from any DST change
ROOT = Path(__file__).resolve().parents[2]


# -- helpers -------------------------------------------------------------------------------------------


def add_member_due(
    services: Services, fake: FakeSlack, user_id: str, due_at: datetime, tz: str = "UTC"
) -> int:
    """A member who works remotely every day and whose morning prompt is due at `due_at` (a whole minute)."""
    local = due_at.astimezone(ZoneInfo(tz))
    minute = local.hour * 60 + local.minute
    fake.add_user(user_id, tz=tz)
    with services.sessions.begin() as session:
        session.execute(insert_ignore(session, Workspace, {"id": TEAM, "created_at": due_at}, ["id"]))
        member = Member(
            workspace_id=TEAM,
            user_id=user_id,
            tz=tz,
            display_name=user_id.lower(),
            tz_checked_at=due_at,
            created_at=due_at,
            remote_days=0b1111111,
            morning_minute=minute,
            eod_minute=(minute + 12 * 60) % (24 * 60),  # far from the morning, so one prompt is due
        )
        session.add(member)
        session.flush()
        reschedule(session, member.id, due_at - timedelta(minutes=1))
        return member.id


def prompts_to(fake: FakeSlack, user_id: str) -> int:
    """Messages the bot posted in the member's DM."""
    return sum(message.channel == "D" + user_id[1:] for message in fake.messages)


def recipients(fake: FakeSlack) -> Counter[str]:
    return Counter("U" + message.channel[1:] for message in fake.messages if message.channel.startswith("D"))


def ledger_statuses(services: Services) -> Counter[str]:
    with services.sessions() as session:
        return Counter(session.scalars(select(Delivery.status)))


class EveryoneLeads:
    """No leadership at all: what two clocks do if their locks fail them. The ledger must still hold."""

    description = "nothing"

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class Unreachable:
    description = "a lock on a database that doesn't answer"

    def acquire(self) -> bool:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    def release(self) -> None:
        pass


@pytest.fixture
def fixed_now(services: Services) -> datetime:
    services.clock = lambda: NOW + timedelta(seconds=3)  # a tick that starts a little late
    return NOW


# -- the instant a tick stands for ---------------------------------------------------------------------


def test_a_tick_stands_for_the_start_of_its_minute() -> None:
    assert tick_instant(datetime(2026, 6, 16, 9, 0, 0, 4000, tzinfo=UTC)) == datetime(
        2026, 6, 16, 9, 0, tzinfo=UTC
    )
    assert tick_instant(datetime(2026, 6, 16, 9, 0, 59, 999999, tzinfo=UTC)) == datetime(
        2026, 6, 16, 9, 0, tzinfo=UTC
    )


def test_a_shorter_interval_floors_to_that_interval() -> None:
    assert tick_instant(datetime(2026, 6, 16, 9, 0, 17, tzinfo=UTC), 5) == datetime(
        2026, 6, 16, 9, 0, 15, tzinfo=UTC
    )


def test_a_tick_instant_is_in_utc_whatever_zone_now_is_given_in() -> None:
    berlin = datetime(2026, 6, 16, 11, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert tick_instant(berlin) == datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
    assert tick_instant(berlin).tzinfo is UTC


@pytest.mark.parametrize("seconds", [0, 7, 45, 61, 120])
def test_an_interval_that_does_not_divide_a_minute_is_refused(seconds: int) -> None:
    with pytest.raises(ValueError, match="divide 60"):
        check_interval(seconds)


# -- leadership on PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def pg_engines(postgres_url: str) -> Iterator[list[sa.Engine]]:
    """Three engines on one schema: as if two clock processes and an operator's psql."""
    engines = [create_db_engine(postgres_url) for _ in range(3)]
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.mark.postgres
def test_two_clocks_on_one_postgresql_exactly_one_leads(pg_engines: list[sa.Engine]) -> None:
    first, second = AdvisoryLock(pg_engines[0]), AdvisoryLock(pg_engines[1])
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.acquire() is True  # asking again while leading keeps the lead
        assert second.acquire() is False
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_the_standby_leads_once_the_leaders_session_is_killed(pg_engines: list[sa.Engine]) -> None:
    leader, standby = AdvisoryLock(pg_engines[0]), AdvisoryLock(pg_engines[1])
    try:
        assert leader.acquire() and not standby.acquire()
        with pg_engines[2].connect() as operator:
            operator.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": leader.backend_pid})
        wait_until(standby.acquire, timeout=5, what="the standby to take the lock")
        assert leader.acquire() is False  # it notices its session is gone, and that the lock is taken
    finally:
        leader.release()
        standby.release()


@pytest.mark.postgres
def test_the_standby_leads_once_the_leader_lets_go(pg_engines: list[sa.Engine]) -> None:
    leader, standby = AdvisoryLock(pg_engines[0]), AdvisoryLock(pg_engines[1])
    try:
        assert leader.acquire() and not standby.acquire()
        leader.release()
        # Closing the session lets go of the lock once the server has ended that session, a moment later
        # (later still on a busy machine); a standby asks again at each tick.
        wait_until(standby.acquire, timeout=5, what="the standby to take the lock")
        assert leader.acquire() is False
    finally:
        leader.release()
        standby.release()


@pytest.mark.postgres
def test_the_leaders_session_stays_idle_outside_any_transaction(pg_engines: list[sa.Engine]) -> None:
    leader = AdvisoryLock(pg_engines[0])
    try:
        # An earlier test's leader in this schema (a killed process, a closed session) holds the lock until
        # PostgreSQL has ended its session; this test is about the state of ours once we lead.
        wait_until(leader.acquire, timeout=10, what="the lock, once earlier sessions have ended")
        with pg_engines[2].connect() as operator:
            state = operator.execute(
                sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": leader.backend_pid}
            ).scalar_one()
        assert state == "idle"  # not "idle in transaction", which would hold back vacuum for hours
    finally:
        leader.release()


@pytest.mark.postgres
def test_installs_in_two_schemas_of_one_database_each_get_a_leader(postgres_url: str) -> None:
    admin = sa.create_engine(PG_URL)
    schema = f"rw_lock_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    ours, theirs = (
        create_db_engine(postgres_url),
        create_db_engine(f"{PG_URL}?options=-csearch_path%3D{schema}"),
    )
    mine, other = AdvisoryLock(ours), AdvisoryLock(theirs)
    try:
        assert mine.acquire() and other.acquire()
        assert mine.key != other.key == lock_key(schema)
    finally:
        mine.release()
        other.release()
        ours.dispose()
        theirs.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


# -- leadership on SQLite ------------------------------------------------------------------------------


def test_two_clocks_on_one_sqlite_file_exactly_one_leads(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/remote-wins.db")
    first, second = leadership_for(engine), leadership_for(engine)
    try:
        assert isinstance(first, FileLock)
        assert first.path == tmp_path / "remote-wins.db.clock-lock"
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.acquire() is True
        first.release()
        assert second.acquire() is True
        assert first.acquire() is False
    finally:
        first.release()
        second.release()
        engine.dispose()


def test_the_lock_file_is_let_go_when_the_leading_process_dies(tmp_path: Path) -> None:
    path = tmp_path / "remote-wins.db.clock-lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from jobs.leader import FileLock;"
            "assert FileLock(Path(sys.argv[1])).acquire(); print('leading', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    standby = FileLock(path)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"leading"
        assert standby.acquire() is False
        assert path.read_text().strip() == str(holder.pid)  # which process leads, for an operator
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert standby.acquire() is True
    finally:
        holder.kill()
        holder.wait()
        standby.release()


def test_an_in_memory_database_needs_no_lock() -> None:
    engine = sa.create_engine("sqlite://")
    assert isinstance(leadership_for(engine), OnlyClock)
    engine.dispose()


# -- the clock in one process --------------------------------------------------------------------------


def test_only_the_leading_clock_ticks_and_the_standby_takes_over(
    services: Services, fake_slack: FakeSlack, fixed_now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jobs.clock")
    add_member_due(services, fake_slack, "U100", fixed_now)
    first = Clock(services, leadership_for(services.engine), worker="first")
    second = Clock(services, leadership_for(services.engine), worker="second")
    try:
        report = first.tick()
        assert report is not None and report.sent == 1
        assert second.tick() is None
        assert first.leading is True and second.leading is False
        assert prompts_to(fake_slack, "U100") == 1
        first.stop()
        add_member_due(services, fake_slack, "U101", fixed_now)
        report = second.tick()
        assert report is not None and report.sent == 1
        assert prompts_to(fake_slack, "U100") == 1 and prompts_to(fake_slack, "U101") == 1
    finally:
        first.stop()
        second.stop()
    logged = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith("clock: leading") for m in logged) == 2
    assert sum(m.startswith("clock: standby") for m in logged) == 1
    assert any(m.startswith("clock: stopped; released") for m in logged)


def test_a_standby_logs_once_not_at_every_tick(
    services: Services, fixed_now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jobs.clock")
    leader = Clock(services, leadership_for(services.engine))
    standby = Clock(services, leadership_for(services.engine))
    try:
        leader.tick()
        for _ in range(3):
            assert standby.tick() is None
    finally:
        leader.stop()
        standby.stop()
    assert sum(r.getMessage().startswith("clock: standby") for r in caplog.records) == 1


def test_a_failed_tick_is_logged_and_the_next_tick_sends_what_is_still_due(
    services: Services,
    fake_slack: FakeSlack,
    fixed_now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import jobs.clock

    add_member_due(services, fake_slack, "U100", fixed_now)
    real_tick = jobs.clock.run_tick
    calls: list[datetime] = []

    def broken_once(services: Services, now: datetime, **kwargs: Any) -> Any:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("the database went away mid-tick")
        return real_tick(services, now, **kwargs)

    monkeypatch.setattr(jobs.clock, "run_tick", broken_once)
    clock = Clock(services, EveryoneLeads())
    assert clock.tick() is None
    assert "the tick at 2026-06-16 07:00:00Z failed" in caplog.text
    services.clock = lambda: fixed_now + timedelta(minutes=1)
    report = clock.tick()
    assert report is not None and report.sent == 1
    assert calls == [fixed_now, fixed_now + timedelta(minutes=1)]  # each tick as of its minute
    assert prompts_to(fake_slack, "U100") == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database plays no part
def test_a_clock_that_cannot_reach_the_database_waits_without_ticking(
    services: Services, fake_slack: FakeSlack, fixed_now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    add_member_due(services, fake_slack, "U100", fixed_now)
    clock = Clock(services, Unreachable())
    assert clock.tick() is None
    assert clock.leading is None
    assert "could not ask for the lead (OperationalError" in caplog.text
    assert fake_slack.messages == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database plays no part
def test_the_clock_ticks_at_once_then_at_second_0_one_at_a_time(services: Services) -> None:
    asked: list[datetime] = []

    class Counting(EveryoneLeads):
        def acquire(self) -> bool:
            asked.append(datetime.now(UTC))
            return False  # stand by, so no tick does any work

    clock = Clock(services, Counting())
    if datetime.now(UTC).second >= 55:  # so "before the next minute" can't be confused with "at it"
        time.sleep(61 - datetime.now(UTC).second)
    started = datetime.now(UTC)
    next_minute = started.replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock.start()
    try:
        wait_until(lambda: asked, timeout=5, what="the first tick")
        # a restart catches up at once: the first tick comes before the minute's, whatever the machine's speed
        assert started <= asked[0] < next_minute, (started, asked)
        job = clock._scheduler.get_job("tick")  # type: ignore[union-attr]
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 60)
        after = datetime(2026, 6, 16, 9, 0, 30, tzinfo=UTC)
        assert job.trigger.get_next_fire_time(None, after) == datetime(2026, 6, 16, 9, 1, tzinfo=UTC)
    finally:
        clock.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database plays no part
def test_a_clock_with_a_short_interval_keeps_asking(services: Services) -> None:
    asked: list[float] = []

    class Counting(EveryoneLeads):
        def acquire(self) -> bool:
            asked.append(time.monotonic())
            return False

    clock = Clock(services, Counting(), interval_seconds=1)
    clock.start()
    try:
        wait_until(lambda: len(asked) >= 3, timeout=10, what="three ticks")
    finally:
        clock.stop()


# -- two clock processes ticking together --------------------------------------------------------------


def _tick_in_a_process(
    database_url: str, api_url: str, token: str, now: datetime, start: Any, results: Any
) -> None:
    """A second process that ticks with no leadership at all, at the same instant as its twin."""
    settings = Settings(
        bot_token=token,
        signing_secret=None,
        app_token=None,
        slack_api_url=api_url,
        database_url=database_url,
        port=0,
        web_concurrency=1,
        log_level="WARNING",
    )
    services = build_services(settings)
    services.clock = lambda: now
    try:
        clock = Clock(services, EveryoneLeads(), worker=f"twin {os.getpid()}")
        start.wait(timeout=60)
        report = clock.tick()
        results.put(
            None if report is None else {"sent": report.sent, "already_claimed": report.already_claimed}
        )
    finally:
        services.close()


def test_two_clock_processes_ticking_at_once_send_each_member_one_prompt(
    services: Services, fake_slack: FakeSlack, settings: Settings
) -> None:
    members = [f"U{200 + i}" for i in range(40)]
    for user_id in members:
        add_member_due(services, fake_slack, user_id, NOW)
    fake_slack.delay("chat.postMessage", 0.02)  # so the two ticks overlap for the whole run
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    twins = [
        context.Process(
            target=_tick_in_a_process,
            args=(settings.database_url, fake_slack.api_url, fake_slack.bot_token, NOW, start, results),
        )
        for _ in range(2)
    ]
    for twin in twins:
        twin.start()
    reports = [results.get(timeout=120) for _ in twins]
    for twin in twins:
        twin.join(timeout=30)
        assert twin.exitcode == 0
    assert recipients(fake_slack) == Counter(members)
    assert sum(r["sent"] for r in reports) == len(members)
    assert ledger_statuses(services) == Counter({"sent": len(members)})


# -- `remote-wins clock` as a process ------------------------------------------------------------------


@pytest.fixture
def clock_env(tmp_path: Path, fake_slack: FakeSlack, database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_clock_command_sends_a_due_prompt_on_its_first_tick(
    clock_env: dict[str, str],
    tmp_path: Path,
    services: Services,
    fake_slack: FakeSlack,
    processes: list[CliProcess],
) -> None:
    add_member_due(services, fake_slack, "U300", tick_instant(utc_now()))
    clock = CliProcess(clock_env, tmp_path, "clock", "clock")  # the default: a tick every minute, at second 0
    processes.append(clock)
    wait_until(lambda: prompts_to(fake_slack, "U300"), timeout=20, what="the prompt")
    clock.wait_for("clock: tick at")
    assert clock.stop() == 0
    assert prompts_to(fake_slack, "U300") == 1
    log = clock.output()
    assert "clock: leading" in log and "SIGTERM received" in log and "clock: stopped" in log
    assert "Traceback" not in log and fake_slack.bot_token not in log


def test_a_standby_clock_process_takes_over_within_a_tick_when_the_leader_is_killed(
    clock_env: dict[str, str],
    tmp_path: Path,
    services: Services,
    fake_slack: FakeSlack,
    processes: list[CliProcess],
) -> None:
    leader = CliProcess(clock_env, tmp_path, "leader", "clock", "--interval-seconds", "1")
    processes.append(leader)
    leader.wait_for("clock: leading")
    standby = CliProcess(clock_env, tmp_path, "standby", "clock", "--interval-seconds", "1")
    processes.append(standby)
    standby.wait_for("clock: standby")

    add_member_due(services, fake_slack, "U301", tick_instant(utc_now()))
    wait_until(lambda: ledger_statuses(services)["sent"] == 1, timeout=10, what="the leader's prompt")
    leader.kill()  # SIGKILL: no shutdown hook, the lock goes with the process (or its session)

    add_member_due(services, fake_slack, "U302", tick_instant(utc_now()))
    standby.wait_for("clock: leading", timeout=10)
    wait_until(lambda: prompts_to(fake_slack, "U302"), timeout=10, what="the new leader's prompt")
    time.sleep(1.5)  # a tick or two more: nothing is sent again
    assert standby.stop() == 0
    assert recipients(fake_slack) == Counter({"U301": 1, "U302": 1})
    assert ledger_statuses(services) == Counter({"sent": 2})
    assert "clock: tick at" not in standby.output().split("clock: leading")[0]  # idle while standing by


def test_the_clock_command_refuses_an_interval_that_does_not_divide_a_minute(tmp_path: Path) -> None:
    run = remote_wins("clock", "--interval-seconds", "7", cwd=tmp_path)
    assert run.returncode == 2
    assert "does not divide 60" in run.stderr


def test_the_clock_command_without_a_bot_token_names_it_in_one_line(tmp_path: Path) -> None:
    run = remote_wins("clock", cwd=tmp_path)
    assert_one_line(run, "SLACK_BOT_TOKEN is not set")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_clock_command_with_a_refused_token_says_so_in_one_line(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-revoked",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
    }
    run = remote_wins("clock", cwd=tmp_path, env=env)
    assert_one_line(run, "SLACK_BOT_TOKEN was not accepted by Slack: invalid_auth")


# -- the clock inside `remote-wins serve` --------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_serve_runs_the_clock_in_process_only_with_sqlite(settings: Settings) -> None:
    embedded = settings.database_url.startswith("sqlite")
    assert runs_clock_in_process(settings) is embedded
    hook = GunicornServer(settings).cfg.post_worker_init
    assert (hook is _start_worker_clock) is embedded


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_on_sqlite_sends_a_due_prompt_from_one_of_its_workers(
    tmp_path: Path, fake_slack: FakeSlack, services: Services, database_url: str
) -> None:
    add_member_due(services, fake_slack, "U400", tick_instant(utc_now()))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": "serve-clock-secret",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }
    server = Server(env, tmp_path).start()
    try:
        wait_until(lambda: prompts_to(fake_slack, "U400"), timeout=20, what="the prompt")
        log = tmp_path / "server.log"
        wait_until(lambda: "clock: standby" in log.read_text(), timeout=20, what="the second worker")
        assert prompts_to(fake_slack, "U400") == 1
        assert log.read_text().count("clock: leading") == 1  # two workers, one clock
        server.process.send_signal(signal.SIGTERM)  # graceful: each worker stops its clock
        assert server.process.wait(timeout=30) == 0
        assert "clock: stopped; released" in log.read_text()
    finally:
        server.kill()
    assert ledger_statuses(services) == Counter({"sent": 1})
