"""The clock's deliveries with several workspaces: each paced on its own, taken in turn, and one that
uninstalls the app or whose token Slack refuses stops at once without slowing the others."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.sender import RateLimits, Sender
from bot.services import Services
from jobs.tick import TickReport, run_tick
from storage.models import Delivery as DeliveryRow
from storage.models import Member
from tests.fake_slack import FakeSlack
from tests.installs.conftest import add_team_member, calls_from, token_team
from tests.support import SlackRequests, wait_until

NOW = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # Tuesday, 09:00 in Berlin: the members' morning prompt
PER_SECOND = 10.0  # each workspace's pace in these tests: a wave of 40 takes 4 s


def team_of(services: Services, fake: FakeSlack, team_id: str, count: int) -> list[str]:
    users = [f"U{team_id}{n:03d}" for n in range(count)]
    for user_id in users:
        fake.add_user(user_id, tz="Europe/Berlin", team_id=team_id)
        add_team_member(services, team_id, user_id, "Europe/Berlin", NOW - timedelta(minutes=1))
    return users


def paced(services: Services) -> Sender:
    limits = RateLimits(per_workspace_per_second=PER_SECOND, per_channel_per_second=1.0, headroom=1.0)
    return Sender(services.client, limits=limits, clients=services.slack)


def ledger(services: Services) -> Counter[tuple[str, str, str | None]]:
    """(workspace, status, error) of every delivery."""
    with services.sessions() as session:
        rows = session.execute(select(DeliveryRow.workspace_id, DeliveryRow.status, DeliveryRow.error))
        return Counter(tuple(row) for row in rows)


def delivered_once(fake: FakeSlack) -> bool:
    """Nobody got their prompt twice."""
    return all(n == 1 for n in Counter((m.team, m.channel) for m in fake.messages).values())


@pytest.fixture
def two_installed(install: Callable[[str], object], oauth_fake: FakeSlack) -> FakeSlack:
    install("TA")
    install("TB")
    oauth_fake.clear()
    return oauth_fake


def test_a_large_workspaces_wave_does_not_delay_a_small_ones(
    two_installed: FakeSlack, oauth_services: Services
) -> None:
    team_of(oauth_services, two_installed, "TA", 40)  # first in the table, and in due order
    team_of(oauth_services, two_installed, "TB", 4)
    report = run_tick(oauth_services, NOW, sender=paced(oauth_services))
    assert (report.sent, report.failed) == (44, 0)
    order = [token_team(two_installed, call) for call in two_installed.calls_to("chat.postMessage")]
    assert order.count("TB") == 4 and order.count("TA") == 40
    # At its own pace from the start: the small workspace's 4 go out among the large one's first tenth
    # (TA's 40 at 10/s take 4 s, TB's 4 under half a second), not after its 40.
    assert max(i for i, team in enumerate(order) if team == "TB") < 4 + 8, order
    assert delivered_once(two_installed)


def test_an_uninstall_mid_wave_stops_that_workspace_at_once_and_the_other_goes_on(
    two_installed: FakeSlack, oauth_services: Services, from_workspace: Callable[[str], SlackRequests]
) -> None:
    team_of(oauth_services, two_installed, "TA", 30)
    team_of(oauth_services, two_installed, "TB", 10)
    reports: list[TickReport] = []
    wave = threading.Thread(
        target=lambda: reports.append(run_tick(oauth_services, NOW, sender=paced(oauth_services)))
    )
    wave.start()
    wait_until(
        lambda: len(calls_from(two_installed, "chat.postMessage", "TA")) >= 5, what="the wave under way"
    )
    assert from_workspace("TA").event({"type": "app_uninstalled"}).status == 200
    acked = time.monotonic()
    wave.join(timeout=30)
    assert not wave.is_alive()

    sent_to_a = calls_from(two_installed, "chat.postMessage", "TA")
    after = [call for call in sent_to_a if call.at > acked]
    assert len(after) <= 1, after  # only a send already past its check when the uninstall committed
    assert len(sent_to_a) < 30
    assert len(calls_from(two_installed, "chat.postMessage", "TB")) == 10
    rows = ledger(oauth_services)
    assert rows[("TB", "sent", None)] == 10
    assert rows[("TA", "sent", None)] == len(sent_to_a)
    # claimed before the uninstall: failed without a call; not claimed yet: skipped, nothing recorded
    skipped = sum(
        1 for item in reports[0].items if item.user_id.startswith("UTA") and item.outcome == "skipped"
    )
    assert rows[("TA", "failed", "not_installed")] + skipped == 30 - len(sent_to_a)
    assert delivered_once(two_installed)

    two_installed.clear()  # the next ticks send nothing more there, and nothing twice anywhere
    run_tick(oauth_services, NOW + timedelta(minutes=1), sender=paced(oauth_services))
    assert two_installed.calls_to("chat.postMessage") == []
    assert ledger(oauth_services) == rows


@pytest.mark.parametrize("refusal", ["token_revoked", "invalid_auth"])
def test_a_token_slack_refuses_stops_its_workspace_for_the_tick_without_slowing_the_other(
    two_installed: FakeSlack, oauth_services: Services, refusal: str
) -> None:
    team_of(oauth_services, two_installed, "TA", 30)
    team_of(oauth_services, two_installed, "TB", 5)
    if refusal == "token_revoked":
        two_installed.uninstall("TA")  # Slack's side only: the app hasn't heard yet
    else:
        for token in two_installed.tokens_of("TA"):
            del two_installed.tokens[token]
    sender = paced(oauth_services)
    turns: Counter[str] = Counter()  # turns each workspace took at the pace
    take_turn = sender.limiter.acquire

    def counted(workspace_id: str, channel: str | None = None) -> None:
        turns[workspace_id] += 1
        take_turn(workspace_id, channel)

    sender.limiter.acquire = counted  # type: ignore[method-assign]
    report = run_tick(oauth_services, NOW, sender=sender)
    assert (report.sent, report.failed) == (5, 30)
    assert len(calls_from(two_installed, "chat.postMessage", "TB")) == 5
    # TA's first send (and one or two that had their turn before its answer came), no others
    assert 1 <= len(two_installed.calls_to("chat.postMessage")) - 5 <= 3
    # TA's 30 were not paced (a turn each, 3 s) nor retried: a turn only for each call that was made
    calls_to_a = len(two_installed.calls_to("chat.postMessage")) - 5  # TA's token no longer names TA
    assert turns == {"TA": calls_to_a, "TB": 5}, turns
    assert ledger(oauth_services)[("TA", "failed", refusal)] == 30
    with oauth_services.sessions() as session:  # a dead token is the workspace's, not its members'
        assert not any(session.scalars(select(Member.deactivated)))
