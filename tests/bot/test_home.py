"""The App Home: a member's day and week, a manager's team, within 100 blocks, republished after changes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import update

from bot.blocks.home import plan_words
from bot.home import home_data
from bot.services import Services
from rules.digest import iso_week
from rules.plans import PlanStatus, SavedPlan
from rules.wins import WinDraft
from storage import ledger, plans
from storage.digest import acknowledge
from storage.members import save_member
from storage.models import Member
from storage.wins import add_win
from tests import support
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, home_work_done, save_win, wait_until

TEAM = "T0001"
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Tuesday 08:45 in Kathmandu, 04:00 in Berlin
TODAY = date(2026, 11, 24)


add_member = partial(support.add_member, team=TEAM, joined=NOW - timedelta(days=30))


log = partial(save_win, day=TODAY, at=NOW)


def open_home(slack: SlackRequests, fake_slack: FakeSlack, user: str) -> dict[str, Any]:
    before = len(fake_slack.calls_to("views.publish"))
    slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    calls = wait_until(lambda: fake_slack.calls_to("views.publish")[before:], what="views.publish")
    view = calls[0].params["view"]
    stored = lambda: (fake_slack.home_views.get(user) or {}).get("blocks") == view["blocks"]  # noqa: E731
    wait_until(stored, what="the fake Slack to accept the view")  # it rejects anything over the limits
    return view


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_a_members_home_has_wins_plan_next_prompts_and_delivery_problems(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOW
    kim = add_member(
        services, "UK", slack=fake_slack, tz="Asia/Kathmandu", remote_days=0b0011110, slots_at=NOW
    )
    log(services, kim, "told <!channel> & <@U2>", day_kind="remote")
    log(services, kim, "last week's", day=TODAY - timedelta(days=7))
    with services.sessions.begin() as session:
        plans.post_plan(session, kim.id, TODAY, ["write the RFC", "review <!here>"], None, None, NOW)
        key = ledger.DeliveryKey(TEAM, kim.id, "eod", "2026-11-23")
        failed = ledger.claim(session, key, due_at=NOW - timedelta(hours=10), now=NOW, worker="t")
        assert failed is not None
        ledger.finish(session, failed, status="failed", now=NOW, error="account_inactive")
    view = open_home(slack, fake_slack, "UK")
    text = shown(view)
    assert "told &lt;!channel&gt; &amp; &lt;@U2&gt;" in text and "last week's" not in text
    assert "<!channel>" not in text and "<!here>" not in text
    assert "sent, 2 items" in text and "review &lt;!here&gt;" in text
    assert "morning plan prompt, today at 09:00 (Asia/Kathmandu)" in text
    assert "end-of-day prompt, today at 17:00 (Asia/Kathmandu)" in text
    assert "end-of-day prompt for yesterday wasn't delivered: Slack said `account_inactive`" in text
    assert "home_log_win" in text and "settings_open" in text
    assert "Your team this week" not in text  # nobody names kim as manager


def test_the_plan_state_reads_none_skipped_or_signed_off() -> None:
    def plan(status: str, items: tuple[str, ...] = (), done: tuple[int, ...] = ()) -> SavedPlan:
        return SavedPlan(
            1, 1, TODAY, PlanStatus(status), items, None, None, None, None, done, None, "17:30", None
        )

    assert "none sent yet" in plan_words(None)
    assert "2 items waiting in your draft" in plan_words(plan("draft", ("a", "b")))
    assert "skipped" in plan_words(plan("skipped"))
    assert "signed off at 17:30, done 1 of 3" in plan_words(plan("summarized", ("a", "b", "c"), (1,)))
    long = plan_words(plan("posted", tuple("<&>" * 1000 for _ in range(12))))
    assert len(long) <= 3000 and "…and 2 more" in long


def test_a_managers_home_has_the_team_at_a_glance_and_the_last_digest(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOW
    manager = add_member(services, "UM", slack=fake_slack, tz="Europe/Berlin")
    ana = add_member(
        services, "UA", slack=fake_slack, manager_user_id="UM", remote_days=0b0000010, slots_at=NOW
    )
    add_member(services, "UB", slack=fake_slack, manager_user_id="UM", slots_at=NOW)
    log(services, ana, "ana's win", day_kind="remote")
    last_week = iso_week(TODAY - timedelta(days=7))
    with services.sessions.begin() as session:
        key = ledger.DeliveryKey(TEAM, manager.id, "digest", last_week)
        sent = ledger.claim(session, key, due_at=NOW - timedelta(days=4), now=NOW, worker="t")
        assert sent is not None
        ledger.finish(session, sent, status="sent", now=NOW - timedelta(days=4), channel="DM", ts="1.2")
    text = shown(open_home(slack, fake_slack, "UM"))
    assert "Your team this week" in text and "2 reports" in text
    assert "*ua* · 1 win · remote days: Tue" in text
    assert "Nothing logged yet this week: ub." in text
    assert "the week of Mon 16 Nov – Sun 22 Nov, sent Fri 20 Nov 04:00 · not acknowledged yet" in text
    assert last_week not in text  # no ISO week names where a person reads

    with services.sessions.begin() as session:
        acknowledge(session, TEAM, manager.id, last_week, NOW - timedelta(days=3))
    text = shown(open_home(slack, fake_slack, "UM"))
    assert "acknowledged Sat 21 Nov 04:00" in text


def test_a_huge_team_and_a_long_week_stay_within_100_blocks(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOW
    manager = add_member(services, "UM", slack=fake_slack, tz="Europe/Berlin")
    with services.sessions.begin() as session:
        for n in range(500):
            report = save_member(
                session, TEAM, f"UR{n:03d}", tz="UTC", display_name="r" * 150 + str(n), now=NOW
            )
            session.execute(update(Member).where(Member.id == report.id).values(manager_user_id="UM"))
            if n % 4:
                add_win(session, report, WinDraft("w", TODAY), source="command", source_ref=None, now=NOW)
        for n in range(300):
            draft = WinDraft(f"mine {n} <!channel> " + "y" * 2000, TODAY)
            add_win(session, manager, draft, source="command", source_ref=None, now=NOW)
    view = open_home(slack, fake_slack, "UM")
    assert len(view["blocks"]) <= 100
    text = shown(view)
    assert "more reports: your digest lists them all" in text and "<!channel>" not in text
    assert "…and" in text  # the wins list says how many it left out


def test_a_win_republishes_only_the_homes_of_members_who_opened_theirs(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2")
    open_home(slack, fake_slack, "U2")
    assert "Saved" in slack.command("mine, Home never opened", user="U1").body.decode()
    assert "Saved" in slack.command("theirs, Home open", user="U2").body.decode()
    wait_until(lambda: "theirs, Home open" in shown(fake_slack.home_views.get("U2") or {"blocks": []}))
    home_work_done(services)
    assert [c.params["user_id"] for c in fake_slack.calls_to("views.publish")] == ["U2", "U2"]


def test_the_home_is_republished_after_a_win_is_saved_and_a_failed_publish_changes_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    reply = slack.command("a win before the Home was ever opened")
    assert reply.status == 200
    home_work_done(services)
    assert fake_slack.calls_to("views.publish") == []  # nobody is looking: no rebuild per win
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    wait_until(lambda: fake_slack.calls_to("views.publish"), what="the Home on opening it")
    for text in ("shipped the thing", "and one more", "and a third"):  # a burst: one republish
        assert "Saved" in slack.command(text).body.decode()
    wait_until(lambda: "and a third" in shown(fake_slack.home_views.get("U1") or {"blocks": []}))
    home_work_done(services)
    assert len(fake_slack.calls_to("views.publish")) <= 3  # opening, then one or two for the burst

    fake_slack.fail_next("views.publish", error="internal_error")
    before = len(fake_slack.calls_to("views.publish"))
    reply = slack.command("another one")
    assert reply.status == 200 and "Saved" in reply.body.decode()
    wait_until(lambda: fake_slack.calls_to("views.publish")[before:], what="the failed publish")
    mine, team = home_data(services, TEAM, "U1")
    assert [w.text for w in mine.wins] == [
        "a win before the Home was ever opened",
        "shipped the thing",
        "and one more",
        "and a third",
        "another one",
    ]
    assert team is None
