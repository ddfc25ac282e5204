"""`remote-wins jobs run trial --at … [--dry-run]`: a trial's check-ins and overwork notes as of an instant,
through the command line as an operator runs it, against the fake Slack and both databases."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.services import Services
from rules.wins import WinDraft
from storage.models import Trial
from storage.wins import add_win
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import cli_env, ledger
from tests.jobs.test_trial_edges import titled
from tests.jobs.test_trial_simulation import Simulation, at
from tests.remote_wins.test_cli import remote_wins
from tests.support import SlackRequests, wait_until

MON = date(2026, 3, 2)
LOOK = "2026-03-16T09:00:00+01:00"  # Monday of week 3, Ana's morning: the overwork guard's first look


@pytest.fixture
def sim(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Simulation:
    simulation = Simulation(services, slack, fake_slack)
    simulation.setup()
    simulation.react = lambda now: None
    return simulation


def long_remote_days(sim: Simulation, services: Services) -> None:
    """Two weeks of 12-hour remote days against 8-hour office days: the guard has something to say."""
    for offset in range(14):
        day = MON + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        kind = "remote" if day.weekday() in (1, 2, 3) else "office"
        start, end = (time(8), time(20)) if kind == "remote" else (time(9), time(17))
        with services.sessions.begin() as session:
            for moment in (start, end):
                draft = WinDraft(f"{kind} {moment}", day, day_kind=kind)
                add_win(
                    session, sim.member, draft, source="command", source_ref=None, now=at(day, moment.hour)
                )


def trial_rows(services: Services) -> list[tuple[str, str, str]]:
    return sorted(
        (r.user_id, r.kind, r.status) for r in ledger(services) if r.kind in ("checkin", "overwork")
    )


def trial_id(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(Trial.id))


@pytest.mark.parametrize("long_days", [True, False], ids=["overworked", "not"])
def test_jobs_run_trial_lists_then_sends_the_check_in_and_the_overwork_note_once(
    sim: Simulation,
    services: Services,
    fake_slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    long_days: bool,
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 60 days checkins 10")
    if long_days:
        long_remote_days(sim, services)
    env, trial = cli_env(fake_slack, database_url), trial_id(services)
    wait_until(lambda: titled(fake_slack, "UM", "proposes a remote-work trial"), what="the proposal")
    posts = len(fake_slack.calls_to("chat.postMessage"))

    dry = remote_wins("jobs", "run", "trial", "--at", LOOK, "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    note = "would send" if long_days else "would skip"
    assert lines[0].startswith("remote-wins: trial tick at 2026-03-16T08:00:00Z: dry run, nothing changed")
    assert sorted(lines[1:]) == [
        f"UA\tcheckin\t2026-03-12#{trial}-10\twould send",
        f"UA\toverwork\t2026-03-16#{trial}\t{note}",
    ]
    assert len(fake_slack.calls_to("chat.postMessage")) == posts and trial_rows(services) == []

    run = remote_wins("jobs", "run", "trial", "--at", LOOK, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    sent, skipped = (2, 0) if long_days else (1, 1)
    assert run.stdout.startswith(
        f"remote-wins: trial tick at 2026-03-16T08:00:00Z: sent {sent}, failed 0, missed 0, skipped {skipped}"
    )
    assert len(titled(fake_slack, "UA", "Check-in after day 10 of 60")) == 1
    assert len(titled(fake_slack, "UA", "remote days ran 50% longer")) == (1 if long_days else 0)
    assert trial_rows(services) == [
        ("UA", "checkin", "sent"),
        ("UA", "overwork", "sent" if long_days else "skipped"),
    ]

    again = remote_wins("jobs", "run", "trial", "--at", LOOK, "--dry-run", cwd=tmp_path, env=env)
    assert again.stdout.splitlines()[1:] == []  # nothing left to send as of that instant
    rerun = remote_wins("jobs", "run", "trial", "--at", LOOK, cwd=tmp_path, env=env)
    assert "sent 0, failed 0, missed 0, skipped 0" in rerun.stdout
    assert len(titled(fake_slack, "UA", "Check-in after day 10 of 60")) == 1


def test_jobs_run_morning_leaves_the_trial_alone(
    sim: Simulation, services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 60 days checkins 10")
    dry = remote_wins(
        "jobs",
        "run",
        "morning",
        "--at",
        LOOK,
        "--dry-run",
        cwd=tmp_path,
        env=cli_env(fake_slack, database_url),
    )
    assert dry.returncode == 0, dry.stderr
    assert not any("checkin" in line or "overwork" in line for line in dry.stdout.splitlines())
