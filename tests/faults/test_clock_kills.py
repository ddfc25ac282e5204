"""The clock killed (SIGKILL) at random points of a tick, 20 times, then run again: no member gets a
prompt twice; every prompt whose send had not started when its sender died is sent by the restarted
clock; and only one in flight at a kill (its call to Slack started) can end recorded as failed
"interrupted" (shown on the member's Home), never silently lost.

Exactly once is out of reach for a message in flight at the kill: Slack's chat.postMessage takes no
idempotency key, so it may have left just before the process died, and sending it again could double
it. At most the tick's send threads are in flight (jobs/tick.py, docs/ARCHITECTURE.md "What survives
which fault").
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.sender import Sender
from bot.services import Services
from jobs.tick import INTERRUPTED_AFTER, run_tick
from storage.ledger import INTERRUPTED
from storage.models import Delivery
from tests.fake_slack import FakeSlack
from tests.jobs.test_clock import NOW, add_member_due

pytestmark = pytest.mark.faults
MEMBERS, KILLS = 80, 20
AT = NOW.strftime("%Y-%m-%dT%H:%MZ")


def jobs_run(env: dict[str, str], cwd: Path, at: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "remote_wins.cli", "jobs", "run", "morning", "--at", at],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_clock_killed_20_times_mid_tick_sends_nothing_twice_and_loses_nothing_silently(
    services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    users = [f"U{300 + n}" for n in range(MEMBERS)]
    for user in users:
        add_member_due(services, fake_slack, user, NOW)
    fake_slack.delay("chat.postMessage", 0.03)  # a tick of 80 sends lasts long enough to be cut anywhere
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
    }
    rng = random.Random(20)
    for _ in range(KILLS):
        process = jobs_run(env, tmp_path, AT)
        time.sleep(rng.uniform(0.2, 1.6))  # start-up takes ~0.5 s: some kills land before the tick
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    fake_slack.delay("chat.postMessage", 0)
    after = (NOW + INTERRUPTED_AFTER + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%MZ")
    final = jobs_run(env, tmp_path, after)  # the restart: sweeps what the dead left, sends the rest
    assert final.wait(timeout=120) == 0

    received = Counter("U" + m.channel[1:] for m in fake_slack.messages if m.channel.startswith("D"))
    assert max(received.values()) == 1, f"sent twice: {[u for u, n in received.items() if n > 1]}"
    with services.sessions() as session:
        rows = session.execute(select(Delivery.member_id, Delivery.status, Delivery.error)).all()
    statuses = Counter((status, error) for _member, status, error in rows)
    assert len(rows) == MEMBERS, "a due prompt has no record"  # one ledger row each
    assert set(statuses) <= {("sent", None), ("failed", INTERRUPTED)}, statuses  # no not_sent left
    interrupted = statuses[("failed", INTERRUPTED)]
    assert len(received) >= statuses[("sent", None)] and len(received) + interrupted >= MEMBERS
    assert interrupted <= KILLS * Sender.workers  # only what was in flight at a kill
    lost = MEMBERS - len(received)
    print(
        f"\n{MEMBERS} prompts, {KILLS} kills: {len(received)} received once, {interrupted} interrupted "
        f"(of which {interrupted - lost} had reached Slack), {lost} never sent"
    )


class _StallingSender(Sender):
    """A sender that stalls before its turn to call Slack (a workspace paused by a 429 storm, say)."""

    def send(self, workspace_id: str, user_id: str, message: dict) -> Any:  # type: ignore[override]
        stalled.set()
        release.wait(timeout=30)
        return super().send(workspace_id, user_id, message)


stalled, release = threading.Event(), threading.Event()


def test_a_sender_stalled_past_the_sweep_never_sends_what_the_sweep_handed_on(
    services: Services, fake_slack: FakeSlack
) -> None:
    """The sweep hands a claim whose call never started to the next tick; the stalled sender, waking up,
    finds its claim gone and sends nothing: one message, not two."""
    add_member_due(services, fake_slack, "U1", NOW)
    stalled.clear(), release.clear()
    slow = threading.Thread(
        target=run_tick, args=(services, NOW), kwargs={"sender": _StallingSender(services.client)}
    )
    slow.start()
    assert stalled.wait(timeout=10)
    later = run_tick(services, NOW + INTERRUPTED_AFTER + timedelta(minutes=1))
    assert (later.interrupted, later.retried, later.sent) == (1, 1, 1)
    release.set()
    slow.join(timeout=30)
    assert [m.channel for m in fake_slack.messages] == ["D1"]
    with services.sessions() as session:
        assert session.execute(select(Delivery.status, Delivery.error)).all() == [("sent", None)]
