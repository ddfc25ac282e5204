"""Posts to a manager outside the manager's working hours wait for the start of their day, and arrive
there together, one message per report with the day's plan and summary; once, whatever ticks twice.

The story of the issue: a report in Kolkata sends the plan at 09:10 and signs off at 17:20, which is
22:40 and 06:50 for their manager in New York. The forms go in as signed requests; the clock is run
with an explicit `now`, and the app's clock is frozen with `services.clock = lambda: ...`.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.services import Services
from jobs.tick import TickReport, run_tick
from storage.members import MemberRef
from storage.models import Delivery, Plan
from tests.bot.test_plans import (
    POST_IT_AGAIN,
    deliver,
    open_form,
    plan_values,
    stored_plan,
    summary_values,
)
from tests.bot.test_prompts import add_member
from tests.fake_slack import FakeSlack, Message
from tests.jobs.test_tick import tick
from tests.support import SlackRequests, blocks_json, wait_until

DAY = date(2026, 11, 24)  # a Tuesday
PLAN_AT = datetime(2026, 11, 24, 3, 40, tzinfo=UTC)  # 09:10 in Kolkata, 22:40 (Monday) in New York
SIGN_OFF_AT = datetime(2026, 11, 24, 11, 50, tzinfo=UTC)  # 17:20 in Kolkata, 06:50 in New York
MANAGERS_MORNING = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 09:00 in New York
MANAGER_DM = "D9"


def kolkata_report(services: Services, fake_slack: FakeSlack, *, manager_known: bool = True) -> MemberRef:
    """Ana in Kolkata shares with her manager U9 in New York (a member row with default working hours
    unless `manager_known` is False: then the bot has never met U9)."""
    fake_slack.add_user("U9", tz="America/New_York", name="boss")
    if manager_known:
        add_member(services, "U9", tz="America/New_York")
    return add_member(services, tz="Asia/Kolkata", share_to="manager", manager_user_id="U9")


def send_plan_at(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    member: MemberRef,
    at: datetime,
    day: date = DAY,
) -> Message:
    services.clock = lambda: at
    prompt = deliver(services, fake_slack, member, "morning", day)
    view = open_form(slack, fake_slack, prompt, "plan_open")
    assert slack.submit_view(view, plan_values("ship the <login> fix\nreview PRs")).body == b""
    return prompt


def sign_off_at(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, member: MemberRef, at: datetime
) -> Message:
    services.clock = lambda: at
    prompt = deliver(services, fake_slack, member, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    values = summary_values((0,), items=2, blockers="VPN & DNS", signed_off="17:20", as_wins=(0,))
    assert slack.submit_view(view, values).body == b""
    return prompt


def to_manager(fake_slack: FakeSlack) -> list[Message]:
    return [m for m in fake_slack.messages if m.channel == MANAGER_DM]


def held_rows(services: Services) -> list[tuple[str, str, str, datetime]]:
    with services.sessions() as session:
        rows = session.execute(
            select(Delivery.kind, Delivery.period, Delivery.status, Delivery.due_at).where(
                Delivery.kind == "held_post"
            )
        )
        return [tuple(row) for row in rows]


def test_a_plan_at_2240_and_a_summary_at_0650_arrive_together_at_0900_once(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = kolkata_report(services, fake_slack)
    prompt = send_plan_at(slack, services, fake_slack, ana, PLAN_AT)
    wait_until(
        lambda: "reaches them at the start of their day" in blocks_json(prompt), what="the held notice"
    )
    assert "*Tue 19:30 your time*" in blocks_json(prompt)  # 09:00 in New York, in Kolkata
    eod = sign_off_at(slack, services, fake_slack, ana, SIGN_OFF_AT)
    wait_until(lambda: "the summary reaches them" in blocks_json(eod), what="the summary's held notice")
    plan = stored_plan(services, ana)
    assert (plan.status, plan.held_until, plan.ts, plan.summary_ts) == (
        "summarized",
        MANAGERS_MORNING,
        None,
        None,
    )
    assert to_manager(fake_slack) == []

    assert tick(services, MANAGERS_MORNING - timedelta(minutes=1)).sent == 0  # 08:59: still their night
    dry = run_tick(services, MANAGERS_MORNING, dry_run=True)
    assert [(i.kind, i.outcome) for i in dry.items] == [("held_post", "sent")]  # would send
    assert to_manager(fake_slack) == [] and stored_plan(services, ana).held_until == MANAGERS_MORNING

    reports: list[TickReport] = []
    start = threading.Barrier(2)

    def clock(worker: str) -> None:  # two clocks at the manager's 09:00
        start.wait()
        reports.append(tick(services, MANAGERS_MORNING, worker=worker))

    threads = [threading.Thread(target=clock, args=(f"clock {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.sent for r in reports) == [0, 1]
    assert tick(services, MANAGERS_MORNING + timedelta(minutes=1)).sent == 0  # and a tick after them

    [held] = to_manager(fake_slack)
    text = blocks_json(held)
    assert "held until the start of your day" in text
    assert "<@U1>'s plan for their remote day" in text and "ship the &lt;login&gt; fix" in text
    assert "signed off at 17:20" in text and "Done 1 of 2 planned" in text and "VPN &amp; DNS" in text
    assert held_rows(services) == [("held_post", "2026-11-24@202611241400", "sent", MANAGERS_MORNING)]
    plan = stored_plan(services, ana)
    assert (plan.held_until, plan.channel, plan.ts, plan.summary_ts) == (None, MANAGER_DM, held.ts, held.ts)

    # Signing off again in the manager's day edits the one message, plan and all; nothing new is posted.
    services.clock = lambda: MANAGERS_MORNING + timedelta(minutes=30)
    again = open_form(slack, fake_slack, POST_IT_AGAIN, "summary_open")
    slack.submit_view(again, summary_values((0, 1), items=2, signed_off="17:20"))
    wait_until(lambda: "Done 2 of 2 planned" in blocks_json(held), what="the held message edited")
    assert "ship the &lt;login&gt; fix" in blocks_json(held) and len(to_manager(fake_slack)) == 1


def test_a_plan_sent_in_the_managers_working_hours_goes_at_once(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = kolkata_report(services, fake_slack)
    send_plan_at(slack, services, fake_slack, ana, MANAGERS_MORNING + timedelta(minutes=1))
    [posted] = wait_until(lambda: to_manager(fake_slack), what="the plan in the manager's DM")
    assert "<@U1> is working remotely today" in blocks_json(posted)
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.ts and p, what="the plan's ts")
    assert (plan.held_until, plan.ts) == (None, posted.ts)
    tick(services, MANAGERS_MORNING + timedelta(days=1))
    assert held_rows(services) == [] and len(to_manager(fake_slack)) == 1


def test_a_summary_after_the_managers_day_waits_for_the_next_working_day_on_its_own(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    """Friday: the plan reaches the manager in their hours; the sign-off at 18:30 their time waits for
    Monday 09:00 (their weekend is not working time), and goes alone: the plan is there already."""
    ana = kolkata_report(services, fake_slack)
    friday = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # 09:30 in New York, 20:00 in Kolkata
    send_plan_at(slack, services, fake_slack, ana, friday, date(2026, 11, 27))
    wait_until(lambda: to_manager(fake_slack), what="the plan")
    wait_until(lambda: stored_plan(services, ana, date(2026, 11, 27)).ts, what="the plan's ts")
    services.clock = lambda: datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 18:30 in New York
    prompt = deliver(services, fake_slack, ana, "eod", date(2026, 11, 27))
    view = open_form(slack, fake_slack, prompt, "summary_open")
    slack.submit_view(view, summary_values((0, 1), items=2, signed_off="05:00"))
    monday = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    wait_until(lambda: stored_plan(services, ana, date(2026, 11, 27)).held_until == monday, what="held")
    assert tick(services, monday - timedelta(minutes=1)).sent == 0 and len(to_manager(fake_slack)) == 1
    assert tick(services, monday).sent == 1
    summary = to_manager(fake_slack)[1]
    shown = blocks_json(summary)
    assert "Done 2 of 2 planned" in shown and "plan for their remote day" not in shown


def test_a_manager_the_bot_never_met_gets_the_default_hours_in_utc(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = kolkata_report(services, fake_slack, manager_known=False)
    send_plan_at(slack, services, fake_slack, ana, PLAN_AT)  # 03:40 UTC: before 09:00 UTC
    nine_utc = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert wait_until(lambda: stored_plan(services, ana).held_until, what="held") == nine_utc
    assert tick(services, nine_utc).sent == 1 and len(to_manager(fake_slack)) == 1


def test_a_held_post_slack_refuses_for_good_is_told_to_the_member_with_what_it_said(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    add_member(services, "U8", tz="America/New_York")  # Slack doesn't know U8: no DM can be opened
    ana = add_member(services, tz="Asia/Kolkata", share_to="manager", manager_user_id="U8")
    send_plan_at(slack, services, fake_slack, ana, PLAN_AT)
    wait_until(lambda: stored_plan(services, ana).held_until, what="held")
    report = tick(services, MANAGERS_MORNING)
    assert (report.sent, report.failed) == (0, 1)
    told = wait_until(lambda: [m for m in fake_slack.messages if "wasn't post" in (m.text or "")], what="DM")
    assert told[0].channel == "D1" and "ship the &lt;login&gt; fix" in blocks_json(told[0])
    assert [row[2] for row in held_rows(services)] == ["failed"]
    with services.sessions() as session:
        assert session.scalar(select(Plan.held_until)) is None
