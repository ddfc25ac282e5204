"""Slack answering 429 for minutes, then 5xx bursts, then answers that never come in time: every prompt
is delivered once, late. A 429 or 5xx is retried within the call and then by each later tick while the
prompt is within GRACE; a send that timed out is not sent again, because Slack may have posted it (and
here, as in Slack, it did)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.sender import RateLimits, Sender
from bot.services import Services
from bot.slack_client import web_client
from jobs.tick import run_tick
from remote_wins.config import Settings
from tests.fake_slack import FakeSlack
from tests.jobs.test_delivery import due_now
from tests.jobs.test_tick import NOW, add_members, ledger
from tests.support import wait_until

pytestmark = pytest.mark.faults
STORM_MINUTES = 3


def calm(fake: FakeSlack) -> None:
    """Slack stops failing: the faults still scripted are dropped."""
    with fake._lock:
        fake._faults.clear()


def dm_messages(fake: FakeSlack) -> Counter[str]:
    return Counter("U" + m.channel[1:] for m in fake.messages if m.channel.startswith("D"))


def test_a_429_storm_for_minutes_then_5xx_then_timeouts_deliver_everything_once_late(
    services: Services, fake_slack: FakeSlack, settings: Settings
) -> None:
    people = due_now(6)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    sender = Sender(web_client(settings, timeout=1), limits=RateLimits(100, 100))  # one clock's, kept

    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=10_000)
    for minute in range(STORM_MINUTES):  # Slack says "later" to everything, minute after minute
        report = run_tick(services, NOW + timedelta(minutes=minute), sender=sender)
        assert report.sent == 0 and report.failed == len(people)
    assert dm_messages(fake_slack) == Counter()
    calm(fake_slack)  # the storm ends...

    fake_slack.fail_next("chat.postMessage", status=503, times=10_000)  # ...into a run of 5xx
    report = run_tick(services, NOW + timedelta(minutes=STORM_MINUTES), sender=sender)
    assert report.sent == 0 and report.failed == len(people) and report.retried == len(people)
    calm(fake_slack)

    fake_slack.delay("chat.postMessage", 1.5)  # then answers that come after the client gave up
    report = run_tick(services, NOW + timedelta(minutes=STORM_MINUTES + 1), sender=sender)
    assert report.retried == len(people)
    fake_slack.delay("chat.postMessage", 0)
    later = run_tick(services, NOW + timedelta(minutes=STORM_MINUTES + 2), sender=sender)
    assert later.sent == later.retried == 0  # a timeout is never sent again

    wait_until(lambda: sum(dm_messages(fake_slack).values()) >= len(people), what="Slack's slow answers")
    assert dm_messages(fake_slack) == Counter(p.user_id for p in people)  # each once, late
    rows = ledger(services)
    outcomes = Counter((row.status, row.error) for row in rows)
    assert set(outcomes) <= {("sent", None), ("failed", "timeout")}, outcomes
    assert all(row.due_at == NOW for row in rows)
