"""Two clocks and four web processes on one PostgreSQL, for a simulated week: the clocks tick at once
(with no leadership at all, as if their locks failed them) through a week of prompts in 28 zones while
four gunicorn workers take commands. Every prompt is sent once, at its time, and every win acked as
saved is there."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.app import build_services
from bot.services import Services
from remote_wins.config import Settings
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import add_members, expected_prompts, ledger, tick, week_people
from tests.remote_wins.test_serve_process import Server
from tests.support import SlackRequests, free_port

pytestmark = [pytest.mark.faults, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]
START, END = datetime(2026, 6, 14, 11, 0, tzinfo=UTC), datetime(2026, 6, 21, 11, 0, tzinfo=UTC)
SECRET = "week-test-secret"
COMMANDS, SENDERS = 240, 8
SAVED = re.compile(r"Saved win #(\d+)")


def _clock_process(
    database_url: str, api_url: str, token: str, name: str, instants: list[datetime], start: Any, results: Any
) -> None:
    """A clock in a process of its own, ticking each instant together with its twin (clocks share the
    real time: one can't run hours ahead of the other)."""
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
    try:
        reports = []
        for instant in instants:
            start.wait(timeout=60)
            reports.append(tick(services, instant, worker=name))
        results.put({"ticks": len(reports), "sent": sum(r.sent for r in reports)})
    finally:
        services.close()


def test_two_clocks_and_four_web_processes_for_a_week(
    services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    people = week_people()
    add_members(services, fake_slack, people, START)
    expected = expected_prompts(people, START, END)
    senders = [f"UW{n}" for n in range(SENDERS)]
    for user in senders:
        fake_slack.add_user(user, tz="Europe/Berlin")
    web = Server(
        {
            "PATH": os.environ.get("PATH", ""),
            "SLACK_BOT_TOKEN": fake_slack.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": database_url,
            "PORT": str(free_port()),
            "WEB_CONCURRENCY": "4",
        },
        tmp_path,
    ).start()
    slack = SlackRequests(f"{web.url}/slack/events", SECRET, fake_slack)
    acked: dict[int, str] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def take_commands(user: str) -> None:
        for n in range(COMMANDS // SENDERS):
            words = f"{user} win {n}"
            reply = slack.command(words, user=user)
            with lock:
                if reply.status != 200:
                    failures.append(f"{reply.status}: {reply.body[:100]!r}")
                elif found := SAVED.search(reply.json()["text"]):
                    acked[int(found.group(1))] = words

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    instants = sorted(set(expected.values()))  # the clock's minutes that have work, each ticked by both
    clocks = [
        context.Process(
            target=_clock_process,
            args=(
                database_url,
                fake_slack.api_url,
                fake_slack.bot_token,
                f"clock {n}",
                instants,
                start,
                results,
            ),
        )
        for n in (1, 2)
    ]
    try:
        for clock in clocks:
            clock.start()
        traffic = [threading.Thread(target=take_commands, args=(user,)) for user in senders]
        for thread in traffic:
            thread.start()
        reports = [results.get(timeout=600) for _ in clocks]
        for thread in traffic:
            thread.join(timeout=120)
        for clock in clocks:
            clock.join(timeout=30)
            assert clock.exitcode == 0
    finally:
        web.kill()

    assert not failures, failures[:5]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, text FROM wins")).all())
    engine.dispose()
    assert {win_id: stored.get(win_id) for win_id in acked} == acked  # every acked win is there
    assert len(acked) == COMMANDS
    rows = ledger(services)
    assert all(row.status == "sent" for row in rows), Counter((r.status, r.error) for r in rows)
    assert {(r.user_id, r.kind, r.period): r.due_at for r in rows} == expected
    prompts = Counter(
        (row.user_id, row.kind, row.period)
        for message in fake_slack.messages
        if message.channel.startswith("D")
        for row in rows
        if (row.channel, row.ts) == (message.channel, message.ts)
    )
    assert prompts == Counter(expected.keys())  # each prompt exactly once
    dm_messages = [m for m in fake_slack.messages if m.channel.startswith("D")]
    extra = [m for m in dm_messages if not any((r.channel, r.ts) == (m.channel, m.ts) for r in rows)]
    assert len(dm_messages) == len(expected), [(m.channel, m.author, m.text) for m in extra][:5]
    assert sum(report["sent"] for report in reports) == len(expected)  # split between the two clocks
    print(
        f"\nweek: {len(expected)} prompts, clocks sent {[r['sent'] for r in reports]} in "
        f"{[r['ticks'] for r in reports]} ticks; {len(acked)} wins through 4 web workers"
    )
