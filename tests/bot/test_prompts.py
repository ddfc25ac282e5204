"""What the clock sends on a remote day: the morning prompt and the end-of-day prompt, or nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest

from bot.prompts import prompt_message
from bot.services import Services
from rules.plans import SummaryInput
from rules.wins import WinDraft
from storage import plans
from storage.members import MemberRef
from storage.wins import add_win
from tests import support
from tests.fake_slack import FakeSlack, block_problem
from tests.support import save_win

DAY = date(2026, 11, 24)  # a Tuesday
MORNING = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
EVENING = datetime(2026, 11, 24, 16, 45, tzinfo=UTC)  # 17:45 in Berlin


# Members here joined this morning, in Berlin; the fake Slack knows only U1 (ana) unless a test adds them.
add_member = partial(support.add_member, joined=MORNING, tz="Europe/Berlin")


def post_plan(services: Services, member: MemberRef, items: list[str], day: date = DAY, **kw: Any) -> None:
    with services.sessions.begin() as session:
        plans.post_plan(session, member.id, day, items, kw.get("reachable"), kw.get("reach_via"), MORNING)


def add_draft(services: Services, member: MemberRef, items: list[str], day: date = DAY) -> None:
    with services.sessions.begin() as session:
        plans.add_to_draft(session, member.id, day, items, MORNING)


log_win = partial(save_win, day=DAY, at=MORNING)


def prompt(services: Services, member: MemberRef, kind: str, day: date = DAY) -> dict[str, Any] | None:
    with services.sessions() as session:
        return prompt_message(session, member.id, kind, day, EVENING if kind == "eod" else MORNING)


def elements(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Every interactive element of one type, in order."""
    return [
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == kind
    ]


def shown_text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_the_morning_prompt_asks_for_the_plan_with_snooze_and_skip(services: Services) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    message = prompt(services, ana, "morning")
    assert message is not None
    buttons = [(b["action_id"], b["value"]) for b in elements(message, "button")]
    assert buttons == [
        ("plan_open", "2026-11-24"),
        ("plan_snooze_30", "2026-11-24|30"),
        ("plan_snooze_60", "2026-11-24|60"),
        ("plan_skip", "2026-11-24"),
    ]
    assert [b["text"]["text"] for b in elements(message, "button")][1:3] == ["Snooze 30 min", "Snooze 1 h"]
    assert "Tuesday 24 November" in shown_text(message) and "<#C1>" in shown_text(message)


def test_the_morning_prompt_shows_carried_items_escaped(services: Services) -> None:
    ana = add_member(services)
    add_draft(services, ana, ["tell <!channel> & <@U2> about it", "review"])
    message = prompt(services, ana, "morning")
    assert message is not None
    text = shown_text(message)
    assert "tell &lt;!channel&gt; &amp; &lt;@U2&gt; about it" in text and "review" in text
    assert "<!channel>" not in text and "<@U2>" not in text


def test_the_snoozed_prompt_says_it_is_back(services: Services) -> None:
    ana = add_member(services)
    message = prompt(services, ana, "morning_snooze")
    assert message is not None and "Back as promised" in shown_text(message)
    assert elements(message, "button")[0]["action_id"] == "plan_open"


@pytest.mark.parametrize("kind", ["morning", "morning_snooze"])
def test_no_morning_prompt_once_the_plan_is_sent_or_the_day_skipped(services: Services, kind: str) -> None:
    ana, bo = add_member(services), add_member(services, "U2")
    post_plan(services, ana, ["ship"])
    with services.sessions.begin() as session:
        plans.skip_day(session, bo.id, DAY, MORNING)
    assert prompt(services, ana, kind) is None
    assert prompt(services, bo, kind) is None


def test_where_the_plan_goes_falls_back_to_the_member_when_unset(services: Services) -> None:
    ana = add_member(services, share_to="manager")
    message = prompt(services, ana, "morning")
    assert message is not None and "only to you (no manager is set)" in shown_text(message)
    bo = add_member(services, "U2", share_to="manager", manager_user_id="U9")
    message = prompt(services, bo, "morning")
    assert message is not None and "to <@U9>" in shown_text(message)


def test_the_end_of_day_prompt_shows_the_plan_to_tick_and_todays_wins(services: Services) -> None:
    ana = add_member(services)
    post_plan(services, ana, ["write the report", "call <!here>", "review"])
    with services.sessions.begin() as session:
        plans.tick_items(session, ana.id, DAY, range(10), {1}, MORNING)
    log_win(services, ana, "fixed CI & <b>deploys</b>")
    log_win(services, ana, "a secret one", private=True)
    log_win(services, ana, "yesterday's", day=date(2026, 11, 23))
    message = prompt(services, ana, "eod")
    assert message is not None
    [boxes] = elements(message, "checkboxes")
    assert [(o["value"], o["text"]["text"]) for o in boxes["options"]] == [
        ("0", "write the report"),
        ("1", "call <!here>"),  # plain text: shown as typed, never a mention
        ("2", "review"),
    ]
    assert boxes["options"][1]["text"]["type"] == "plain_text"
    assert [o["value"] for o in boxes["initial_options"]] == ["1"]
    text = shown_text(message)
    assert "Wins logged today: 2" in text and "fixed CI &amp; &lt;b&gt;deploys&lt;/b&gt;" in text
    assert "a secret one _(private)_" in text and "yesterday" not in text
    assert elements(message, "button")[-1]["action_id"] == "summary_open"


def test_the_end_of_day_prompt_without_a_plan_still_offers_sign_off(services: Services) -> None:
    ana = add_member(services)
    add_draft(services, ana, ["never sent"])  # a draft is not a plan
    message = prompt(services, ana, "eod")
    assert message is not None
    assert elements(message, "checkboxes") == []
    assert "No plan was sent this morning" in shown_text(message)
    assert "No wins logged today yet" in shown_text(message)
    assert [b["action_id"] for b in elements(message, "button")] == ["summary_open"]


def test_no_end_of_day_prompt_on_a_skipped_or_signed_off_day(services: Services) -> None:
    ana, bo = add_member(services), add_member(services, "U2")
    with services.sessions.begin() as session:
        plans.skip_day(session, ana.id, DAY, MORNING)
        signed = SummaryInput(frozenset({0}), None, "17:00", carry=False, tomorrow=())
        plans.post_plan(session, bo.id, DAY, ["ship"], None, None, MORNING)
        plans.sign_off(session, bo, DAY, signed, EVENING)
    assert prompt(services, ana, "eod") is None
    assert prompt(services, bo, "eod") is None


def test_an_unknown_kind_or_member_sends_nothing(services: Services) -> None:
    ana = add_member(services)
    with services.sessions() as session:
        assert prompt_message(session, ana.id, "digest", DAY, MORNING) is None
        assert prompt_message(session, 999_999, "morning", DAY, MORNING) is None


def test_huge_plans_and_many_wins_stay_within_slacks_limits(
    services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    bo = add_member(services, "U2")
    long_items = [f"{i} <&> " + "x" * 2000 for i in range(60)]  # drafts merge, so they can exceed a form
    add_draft(services, ana, long_items)
    items = ["<&>" * 600, *(f"item {i} & more" for i in range(49))]
    post_plan(services, bo, items)
    with services.sessions.begin() as session:
        for i in range(500):
            draft = WinDraft(f"{i} " + "<&>" * 999, DAY)
            add_win(session, bo, draft, source="command", source_ref=None, now=MORNING)
    morning, evening = prompt(services, ana, "morning"), prompt(services, bo, "eod")
    assert morning is not None and evening is not None
    for message in (morning, evening):
        assert block_problem(message["blocks"], 50) is None
        services.client.chat_postMessage(channel="U1", **message)  # the fake refuses what Slack would
    boxes = elements(evening, "checkboxes")
    assert [len(b["options"]) for b in boxes] == [10, 10, 10, 10, 10]
    assert all(len(o["text"]["text"]) <= 75 for b in boxes for o in b["options"])
    assert "more." in shown_text(evening)  # the wins that didn't fit are counted, not dropped silently
    assert len(fake_slack.messages) == 2
