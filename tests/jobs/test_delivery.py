"""Slack failing while the tick sends: 429 storms, 5xx bursts, members who left, connections that drop,
and a rate limit to keep. Every prompt ends up sent once, or failed with its reason; never twice, and one
member's failure never holds up the others'.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse
from sqlalchemy import select

from bot.ratelimit import BACKOFF, RateLimiter
from bot.sender import (
    AnyServerErrorRetryHandler,
    PacedRateLimitRetryHandler,
    RateLimits,
    Retries,
    Sender,
    error_code,
    retry_after,
)
from bot.services import Services
from jobs.tick import TickReport, run_tick
from rules.deliveries import is_transient, member_gone
from rules.schedule import GRACE
from storage.ledger import deliveries_for
from storage.models import Member, PromptSlot
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import (
    NOW,
    UNPACED,
    Person,
    add_members,
    add_person,
    due_now,
    ledger,
    received,
    tick,
)
from tests.support import wait_until

DAY = "2026-06-16"


def prompts(*user_ids: str) -> Counter[tuple[str, str, str]]:
    return Counter({(user_id, "morning", DAY): 1 for user_id in user_ids})


def errors(services: Services) -> dict[str, tuple[str, str | None]]:
    return {row.user_id: (row.status, row.error) for row in ledger(services)}


def unpaced(services: Services, **kwargs: object) -> Sender:
    """One worker, so sends (and the fake's scripted faults) go in claim order: the members' order."""
    return Sender(services.client, **{"limits": UNPACED, "workers": 1, **kwargs})  # type: ignore[arg-type]


# -- the client ----------------------------------------------------------------------------------------


def test_the_apps_client_retries_429_and_5xx_with_slack_sdks_handlers(services: Services) -> None:
    kinds = [type(handler) for handler in services.client.retry_handlers]
    assert RateLimitErrorRetryHandler in kinds and ServerErrorRetryHandler in kinds
    assert ConnectionErrorRetryHandler in kinds


def test_a_tick_sends_through_the_apps_client_with_its_own_retry_counts(services: Services) -> None:
    tick_sender = Sender(services.client, retries=Retries(rate_limited=2, server_error=1))
    client = tick_sender.client_for("T0001", "U1")
    assert (client.token, client.base_url, client.timeout) == (
        services.client.token,
        services.client.base_url,
        services.client.timeout,
    )
    handlers = {type(handler): handler for handler in client.retry_handlers}
    assert handlers[PacedRateLimitRetryHandler].max_retry_count == 2
    assert handlers[AnyServerErrorRetryHandler].max_retry_count == 1
    assert ConnectionErrorRetryHandler in handlers  # the app's, kept as configured
    assert RateLimitErrorRetryHandler not in handlers and ServerErrorRetryHandler not in handlers


# -- Slack busy: sent once in the end ------------------------------------------------------------------


def test_a_429_storm_ends_with_each_prompt_sent_once(services: Services, fake_slack: FakeSlack) -> None:
    people = due_now(4)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
    report = run_tick(services, NOW)  # the tick's own pace and retries
    assert report.sent == 4 and report.failed == 0
    assert fake_slack.ratelimited["chat.postMessage"] == 3
    assert received(services, fake_slack) == prompts(*(p.user_id for p in people))
    assert len(fake_slack.calls_to("chat.postMessage")) == 4 + 3


def test_a_5xx_burst_ends_with_each_prompt_sent_once(services: Services, fake_slack: FakeSlack) -> None:
    people = due_now(3)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=502)  # slack_sdk's own handler would give up on these two
    fake_slack.fail_next("chat.postMessage", status=504)
    report = run_tick(services, NOW, sender=Sender(services.client, limits=UNPACED))
    assert report.sent == 3 and report.failed == 0
    assert received(services, fake_slack) == prompts(*(p.user_id for p in people))
    assert len(fake_slack.calls_to("chat.postMessage")) == 3 + 2


# -- Slack says no: recorded per delivery, the others still sent ---------------------------------------


def test_permanent_errors_are_recorded_per_delivery_and_never_hold_up_the_others(
    services: Services, fake_slack: FakeSlack
) -> None:
    people = [Person(user_id, "Europe/Berlin") for user_id in ("UNOTIN", "UARCHIVED", "UAUTH", "UOK1")]
    people += [Person("UMISSING", "Europe/Berlin", in_slack=False), Person("UOK2", "Europe/Berlin")]
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    # the first three sends, in order; invalid_auth is the workspace's token: see test_a_refused_token_*
    for error in ("not_in_channel", "is_archived", "restricted_action"):
        fake_slack.fail_next("chat.postMessage", error=error)
    report = tick(services, NOW, sender=unpaced(services))
    assert (report.sent, report.failed) == (2, 4)
    assert errors(services) == {
        "UNOTIN": ("failed", "not_in_channel"),
        "UARCHIVED": ("failed", "is_archived"),
        "UAUTH": ("failed", "restricted_action"),
        "UOK1": ("sent", None),
        "UMISSING": ("failed", "channel_not_found"),
        "UOK2": ("sent", None),
    }
    assert received(services, fake_slack) == prompts("UOK1", "UOK2")
    calls = len(fake_slack.calls_to("chat.postMessage"))
    tick(services, NOW + timedelta(minutes=1), sender=unpaced(services))
    assert len(fake_slack.calls_to("chat.postMessage")) == calls  # permanent: never retried
    with services.sessions() as session:
        member_id = session.scalar(select(Member.id).filter_by(user_id="UMISSING"))
        (failure,) = deliveries_for(session, member_id, statuses=("failed",))  # what the member is shown
    assert (failure.kind, failure.period, failure.error) == ("morning", DAY, "channel_not_found")


@pytest.mark.parametrize("error", ["user_not_found", "user_disabled"])
def test_a_member_slack_says_is_gone_is_deactivated_and_gets_nothing_more(
    services: Services, fake_slack: FakeSlack, error: str
) -> None:
    gone_id = add_person(services, fake_slack, Person("UGONE", "Europe/Berlin"), NOW - timedelta(minutes=1))
    add_person(services, fake_slack, Person("UOK", "Europe/Berlin"), NOW - timedelta(minutes=1))
    if error == "user_disabled":
        fake_slack.add_user(
            "UGONE", tz="Europe/Berlin", deleted=True
        )  # what the fake says for a deleted user
    else:
        fake_slack.fail_next("chat.postMessage", error=error)
    report = tick(services, NOW, sender=unpaced(services))
    assert (report.sent, report.failed) == (1, 1)
    assert errors(services)["UGONE"] == ("failed", error)
    with services.sessions() as session:
        assert session.get(Member, gone_id).deactivated
        assert session.scalars(select(PromptSlot).filter_by(member_id=gone_id)).all() == []
    tick(services, datetime(2026, 6, 16, 15, 0, tzinfo=UTC))  # the evening
    assert received(services, fake_slack) == Counter({("UOK", "morning", DAY): 1, ("UOK", "eod", DAY): 1})


# -- transient failures left over: retried by a later tick, within the grace window --------------------


@pytest.mark.parametrize(
    "status, slack_says, error",
    [(429, None, "ratelimited"), (503, None, "internal_error"), (502, "<html>Bad Gateway", "http_502")],
)
def test_a_transient_failure_beyond_the_retries_is_retried_next_tick_and_sent_once(
    services: Services, fake_slack: FakeSlack, status: int, slack_says: str | None, error: str
) -> None:
    add_members(services, fake_slack, due_now(2), NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=status, error=slack_says, retry_after=1, times=2)  # twice
    no_waiting = Retries(rate_limited=1, server_error=1)
    first = tick(services, NOW, sender=unpaced(services, retries=no_waiting))
    assert (first.sent, first.failed) == (1, 1)
    assert errors(services)["U000"] == ("failed", error)
    assert received(services, fake_slack) == prompts("U001")

    second = tick(services, NOW + timedelta(minutes=1), sender=unpaced(services, retries=no_waiting))
    assert (second.retried, second.sent) == (1, 1)
    third = tick(services, NOW + timedelta(minutes=2))
    assert (third.retried, third.sent) == (0, 0)
    assert received(services, fake_slack) == prompts("U000", "U001")
    assert errors(services)["U000"] == ("sent", None)


def test_a_connection_error_is_retried_next_tick(services: Services, fake_slack: FakeSlack) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    unreachable = WebClient(token=fake_slack.bot_token, base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    first = tick(services, NOW, sender=Sender(unreachable, limits=UNPACED))
    assert first.failed == 1 and errors(services)["U1"] == ("failed", "connection_error")
    second = tick(services, NOW + timedelta(minutes=1))
    assert (second.retried, second.sent) == (1, 1)
    assert received(services, fake_slack) == prompts("U1")


def test_a_transient_failure_is_retried_until_the_grace_window_ends_then_stays_failed(
    services: Services, fake_slack: FakeSlack
) -> None:
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=503, times=2)
    one_try = unpaced(services, retries=Retries(rate_limited=0, server_error=0))
    assert tick(services, NOW, sender=one_try).failed == 1
    assert tick(services, NOW + GRACE, sender=one_try).retried == 1  # still within it: tried, fails again
    late = tick(services, NOW + GRACE + timedelta(minutes=1))
    assert (late.retried, late.sent) == (0, 0)
    assert errors(services)["U1"] == ("failed", "internal_error")  # failed for good, with its reason
    assert len(fake_slack.calls_to("chat.postMessage")) == 2 and fake_slack.messages == []


def test_a_retry_for_a_member_who_paused_meanwhile_is_skipped(
    services: Services, fake_slack: FakeSlack
) -> None:
    member_id = add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=503)
    assert tick(services, NOW, sender=unpaced(services, retries=Retries(server_error=0))).failed == 1
    with services.sessions.begin() as session:
        session.get(Member, member_id).paused = True
    report = tick(services, NOW + timedelta(minutes=1))
    assert (report.retried, report.skipped, report.sent) == (1, 1, 0)
    assert errors(services)["U1"] == ("skipped", None)
    assert fake_slack.messages == []


def test_two_ticks_retrying_the_same_failure_send_it_once(services: Services, fake_slack: FakeSlack) -> None:
    add_members(services, fake_slack, due_now(10), NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", status=503, times=10)
    assert tick(services, NOW, sender=unpaced(services, retries=Retries(server_error=0))).failed == 10
    fake_slack.delay("chat.postMessage", 0.01)
    start = threading.Barrier(2)
    reports: list[TickReport] = []

    def retry(worker: str) -> None:
        start.wait()
        reports.append(tick(services, NOW + timedelta(minutes=1), worker=worker))

    threads = [threading.Thread(target=retry, args=(f"clock {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(report.sent for report in reports) == 10
    assert received(services, fake_slack) == prompts(*(f"U{i:03d}" for i in range(10)))


def test_an_answer_that_never_came_is_not_sent_again(services: Services, fake_slack: FakeSlack) -> None:
    """Slack may have posted it: a second copy would be worse than none, so a timeout is final."""
    add_person(services, fake_slack, Person("U1", "Europe/Berlin"), NOW - timedelta(minutes=1))
    impatient = WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url, timeout=1)
    fake_slack.delay("chat.postMessage", 1.5)
    assert tick(services, NOW, sender=Sender(impatient, limits=UNPACED)).failed == 1
    assert errors(services)["U1"] == ("failed", "timeout")
    wait_until(lambda: fake_slack.messages, what="the slow post to land")
    fake_slack.delay("chat.postMessage", 0)
    assert tick(services, NOW + timedelta(minutes=1)).retried == 0
    assert len(fake_slack.messages) == 1


# -- the pace ------------------------------------------------------------------------------------------


def test_a_rate_limited_slack_gets_every_prompt_once(services: Services, fake_slack: FakeSlack) -> None:
    people = due_now(60)
    add_members(services, fake_slack, people, NOW - timedelta(minutes=1))
    fake_slack.rate_limit(per_workspace_per_second=40, per_channel_per_second=1)
    report = run_tick(services, NOW, sender=Sender(services.client, RateLimits(40, 1)))
    assert (report.sent, report.failed) == (60, 0)
    assert received(services, fake_slack) == prompts(*(p.user_id for p in people))
    # paced under the limit, Slack rarely has to say 429 (and any it says are retried in turn)
    assert fake_slack.ratelimited["chat.postMessage"] <= 6


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_the_limiter_spaces_a_workspaces_sends_evenly_and_never_bursts() -> None:
    time = FakeTime()
    limiter = RateLimiter(10, 100, clock=time.clock, sleep=time.sleep)
    for n in range(4):
        limiter.acquire("T1", f"D{n}")
    assert time.slept == [0.1, 0.1, 0.1]
    time.now += 60  # idle for a minute: no saved-up burst
    limiter.acquire("T1", "D9")
    limiter.acquire("T1", "D8")
    assert time.slept[-1] == 0.1
    limiter.acquire("T2", "D7")  # another workspace has its own budget
    assert len(time.slept) == 4


def test_the_limiter_keeps_one_channel_to_its_own_pace() -> None:
    time = FakeTime()
    limiter = RateLimiter(100, 1, clock=time.clock, sleep=time.sleep)
    limiter.acquire("T1", "D1")
    limiter.acquire("T1", "D2")  # another channel: only the workspace's 10 ms
    limiter.acquire("T1", "D1")  # the same channel: a second after its last
    assert time.slept == [0.01, 0.99]


def test_a_429_pauses_the_whole_workspace_for_retry_after() -> None:
    time = FakeTime()
    limiter = RateLimiter(10, 10, clock=time.clock, sleep=time.sleep)
    limiter.acquire("T1", "D1")
    limiter.pause("T1", 2)
    limiter.acquire("T1", "D2")
    assert time.slept == [2.0]


def test_a_429_slows_the_workspace_once_and_sends_that_go_through_speed_it_back_up() -> None:
    """The pace adapts to the limit Slack enforces rather than assuming the published one."""
    time = FakeTime()
    limiter = RateLimiter(10, 100, clock=time.clock, sleep=time.sleep)
    limiter.pause("T1", 1)
    assert limiter.rate("T1") == 10  # a lone 429 is jitter: a pause, no slowdown
    time.now += 3
    limiter.pause("T1", 1)  # another, nothing having gone through since: a storm, no pace avoids it
    assert limiter.rate("T1") == 10
    time.now += 3
    limiter.succeeded("T1")
    limiter.pause("T1", 1)  # sends go through, and are refused again: the pace is too fast here
    limiter.pause("T1", 1)  # another thread's 429 from the same burst: one slowdown, not two
    assert limiter.rate("T1") == pytest.approx(10 * BACKOFF)
    time.now += 3
    limiter.pause("T1", 5)  # a long Retry-After asks for a pause, not a slower pace
    assert limiter.rate("T1") == pytest.approx(10 * BACKOFF)
    assert limiter.rate("T2") == 10  # other workspaces keep their pace
    limiter.acquire("T1", "D1")
    limiter.acquire("T1", "D2")
    assert time.slept[-1] == pytest.approx(1 / (10 * BACKOFF))
    for _ in range(1000):
        limiter.succeeded("T1")
    assert limiter.rate("T1") == 10  # back to the configured pace, never above it


def test_a_fixed_limiter_keeps_its_pace_after_a_429() -> None:
    time = FakeTime()
    limiter = RateLimiter(10, 100, adaptive=False, clock=time.clock, sleep=time.sleep)
    limiter.pause("T1", 1)
    assert limiter.rate("T1") == 10


# -- what an error means -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, transient",
    [
        ("ratelimited", True),
        ("internal_error", True),
        ("fatal_error", True),
        ("service_unavailable", True),
        ("request_timeout", True),
        ("connection_error", True),
        ("http_500", True),
        ("http_504", True),
        ("timeout", False),  # it may have been posted
        ("channel_not_found", False),
        ("not_in_channel", False),
        ("is_archived", False),
        ("invalid_auth", False),
        ("user_not_found", False),
        ("interrupted", False),
        ("render_failed", False),
        (None, False),
    ],
)
def test_only_passing_errors_are_worth_a_retry(error: str | None, transient: bool) -> None:
    assert is_transient(error) is transient


def test_only_a_member_who_left_slack_is_gone() -> None:
    assert all(member_gone(e) for e in ("user_not_found", "user_disabled"))
    # account_inactive and invalid_auth are about the bot's token: no member is to blame.
    assert not any(member_gone(e) for e in ("account_inactive", "invalid_auth", "channel_not_found", None))


def test_a_dead_token_fails_the_sends_but_deactivates_no_one(
    services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_person(services, fake_slack, Person("UANA", "Europe/Berlin"), NOW - timedelta(minutes=1))
    fake_slack.fail_next("chat.postMessage", error="account_inactive")
    report = tick(services, NOW, sender=unpaced(services))
    assert report.failed == 1
    assert errors(services)["UANA"] == ("failed", "account_inactive")
    with services.sessions() as session:
        assert not session.get(Member, ana).deactivated
        assert session.scalars(select(PromptSlot).filter_by(member_id=ana)).all() != []


def slack_error(status: int, data: object, headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://127.0.0.1/api/chat.postMessage",
        req_args={},
        data=data,  # type: ignore[arg-type]
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    "status, data, expected",
    [
        (200, {"ok": False, "error": "channel_not_found"}, "channel_not_found"),
        (200, {"ok": False, "error": "internal_error"}, "internal_error"),
        (429, {"ok": False, "error": "ratelimited"}, "ratelimited"),
        (429, {}, "ratelimited"),
        (503, {"ok": False, "error": "service_unavailable"}, "service_unavailable"),
        (502, {"ok": False, "error": "Received a response in a non-JSON format: <html>"}, "http_502"),
        (500, {"ok": False, "error": "invalid_auth"}, "http_500"),  # a 5xx is Slack's trouble, not ours
        (404, {"ok": False}, "http_404"),
    ],
)
def test_the_ledger_records_slacks_error_code_or_the_http_status(
    status: int, data: object, expected: str
) -> None:
    assert error_code(slack_error(status, data)) == expected


def test_retry_after_is_read_whatever_shape_the_headers_come_in() -> None:
    assert retry_after({"Retry-After": "3"}) == 3.0
    assert retry_after({"retry-after": ["7"]}) == 7.0
    assert retry_after({}) == 1.0
    assert retry_after({"Retry-After": "soon"}) == 1.0


def test_a_send_that_breaks_in_an_unexpected_way_fails_alone_and_is_not_retried(
    services: Services, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_members(services, fake_slack, due_now(3), NOW - timedelta(minutes=1))
    real_send = Sender.send

    def send(self: Sender, workspace_id: str, user_id: str, message: dict[str, object]) -> object:
        if user_id == "U001":
            raise RuntimeError("a bug between us and Slack")
        return real_send(self, workspace_id, user_id, message)

    monkeypatch.setattr(Sender, "send", send)
    report = tick(services, NOW)
    assert (report.sent, report.failed) == (2, 1)
    assert errors(services)["U001"] == ("failed", "send_failed")
    assert tick(services, NOW + timedelta(minutes=1)).retried == 0
    assert received(services, fake_slack) == prompts("U000", "U002")
