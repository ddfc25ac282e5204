"""The remote day over signed HTTP: the morning prompt's buttons, the plan modal, the sign-off modal.

Prompts are sent here as the clock sends them (prompt_message, then chat.postMessage to the member),
so the buttons pressed are the ones the member would see.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot.blocks.escape import MESSAGE_TEXT
from bot.blocks.kit import text_size
from bot.blocks.plans import eod_prompt, held_message, morning_prompt, plan_message, summary_message
from bot.prompts import prompt_message
from bot.services import Services
from rules.plans import Audience, PlanStatus, SavedPlan
from rules.wins import SavedWin, WinDraft
from storage import ledger
from storage.members import MemberRef
from storage.models import Delivery, Plan, PromptSlot
from storage.wins import add_win
from tests.bot.test_prompts import DAY, EVENING, MORNING, add_draft, add_member, log_win, post_plan
from tests.fake_slack import FakeSlack, Message, block_problem
from tests.support import Reply, SlackRequests, block_with_id, blocks_json, saved_wins, wait_until

TRIGGERS = count(1)


# -- driving the flows -------------------------------------------------------------------------------------


def deliver(
    services: Services, fake_slack: FakeSlack, member: MemberRef, kind: str, day: date = DAY
) -> Message:
    """Send a prompt the way the clock does (recording where it went in the ledger), and return it as the
    member sees it."""
    now = services.clock()
    with services.sessions() as session:
        message = prompt_message(session, member.id, kind, day, now)
    assert message is not None, f"no {kind} prompt"
    posted = services.client.chat_postMessage(channel=member.user_id, **message)
    with services.sessions.begin() as session:
        key = ledger.DeliveryKey(member.workspace_id, member.id, kind, day.isoformat())
        delivery_id = ledger.claim(session, key, due_at=now, now=now, worker="test")
        if delivery_id is None:  # the same prompt sent again by the test: it is the one shown now
            session.execute(delete(Delivery).filter_by(**key.__dict__))
            delivery_id = ledger.claim(session, key, due_at=now, now=now, worker="test")
        ledger.finish(
            session, delivery_id, status="sent", now=now, channel=posted["channel"], ts=posted["ts"]
        )
    return next(m for m in fake_slack.messages if m.ts == posted["ts"])


def element(prompt: Message, action_id: str, value: str | None = None) -> dict[str, Any]:
    for block in prompt.blocks or ():
        for found in block.get("elements", ()):
            if found.get("action_id") == action_id and value in (None, found.get("value")):
                return found | {"block_id": block.get("block_id", "b")}
    raise AssertionError(f"no {action_id} on the prompt")


def press(
    slack: SlackRequests,
    prompt: Message,
    action: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    user: str = "U1",
) -> Reply:
    """A block_actions request from a button or checkbox on a message the bot posted."""
    return slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": slack.team, "domain": "acme"},
            "user": {"id": user},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{next(TRIGGERS)}",
            "response_url": slack.fake.new_response_url(),
            "container": {"type": "message", "channel_id": prompt.channel, "message_ts": prompt.ts},
            "channel": {"id": prompt.channel},
            "message": {"ts": prompt.ts, "blocks": prompt.blocks},
            "state": {"values": state or {}},
            "actions": [action],
        }
    )


def opened_view(fake_slack: FakeSlack, before: int) -> dict[str, Any]:
    calls = wait_until(lambda: fake_slack.calls_to("views.open")[before:], what="views.open")
    return calls[0].params["view"] | {"id": f"V{before}"}


def open_form(
    slack: SlackRequests, fake_slack: FakeSlack, prompt: Message, action_id: str, **kw: Any
) -> dict:
    before = len(fake_slack.calls_to("views.open"))
    assert press(slack, prompt, element(prompt, action_id), **kw).status == 200
    return opened_view(fake_slack, before)


def plan_values(items: str, reachable: str | None = None, reach_via: str | None = None) -> dict[str, Any]:
    def text(value: str | None) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    return {"items": text(items), "reachable": text(reachable), "reach_via": text(reach_via)}


def summary_values(
    done: tuple[int, ...] = (),
    *,
    items: int = 0,
    blockers: str | None = None,
    signed_off: str | None = "17:45",
    carry: bool = False,
    tomorrow: str | None = None,
    as_wins: tuple[int, ...] = (),
    links: tuple[tuple[int, int], ...] = (),
) -> dict[str, Any]:
    """What Slack sends for the sign-off modal: `done` ticked, `as_wins` picked under "Log as wins too",
    `links` (item, win id) picked under "Already logged as a win today"."""
    values: dict[str, Any] = {
        "blockers": {"value": {"type": "plain_text_input", "value": blockers}},
        "signed_off": {"value": {"type": "timepicker", "selected_time": signed_off}},
        "carry": {"value": {"type": "checkboxes", "selected_options": [{"value": "carry"}] if carry else []}},
        "tomorrow": {"value": {"type": "plain_text_input", "value": tomorrow}},
    }
    for n in range(0, items, 10):
        ticked = [{"value": str(i)} for i in done if n <= i < n + 10]
        values[f"done_{n // 10}"] = {"value": {"type": "checkboxes", "selected_options": ticked}}
        picked = [{"value": str(i)} for i in as_wins if n <= i < n + 10]
        values[f"wins_{n // 10}"] = {"value": {"type": "checkboxes", "selected_options": picked}}
    if links:
        linked = [
            {"value": f"{i}:{w}", "text": {"type": "plain_text", "text": f"item {i}"}} for i, w in links
        ]
        values["link_0"] = {"value": {"type": "checkboxes", "selected_options": linked}}
    return values


def stored_plan(services: Services, member: MemberRef, day: date = DAY) -> Plan | None:
    with services.sessions() as session:
        return session.scalar(select(Plan).filter_by(member_id=member.id, local_date=day))


def posted_in(fake_slack: FakeSlack, channel: str, after: int = 0) -> Message:
    return wait_until(
        lambda: [m for m in fake_slack.messages[after:] if m.channel == channel],
        what=f"a message in {channel}",
    )[0]


def send_plan(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, member: MemberRef, items: str, **kw: Any
) -> tuple[Message, Reply]:
    """The morning: the prompt, its button, the modal submitted."""
    services.clock = lambda: MORNING
    prompt = deliver(services, fake_slack, member, "morning")
    view = open_form(slack, fake_slack, prompt, "plan_open")
    return prompt, slack.submit_view(view, plan_values(items, **kw), user=member.user_id)


# -- the morning -------------------------------------------------------------------------------------------


def test_the_plan_form_is_prefilled_from_the_draft_and_from_last_time(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    post_plan(
        services, ana, ["old"], day=DAY - timedelta(days=7), reachable="9–12, 13–17", reach_via="Slack DM"
    )
    add_draft(services, ana, ["finish the deck", "email <!channel>"])
    services.clock = lambda: MORNING
    view = open_form(slack, fake_slack, deliver(services, fake_slack, ana, "morning"), "plan_open")
    assert view["callback_id"] == "plan_form"
    assert block_with_id(view, "items")["element"]["initial_value"] == "finish the deck\nemail <!channel>"
    assert block_with_id(view, "reachable")["element"]["initial_value"] == "9–12, 13–17"
    assert block_with_id(view, "reach_via")["element"]["initial_value"] == "Slack DM"


def test_a_plan_goes_to_the_team_channel_escaped_and_is_stored(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    prompt, reply = send_plan(
        slack,
        services,
        fake_slack,
        ana,
        "- ship <!channel> & co\n\n* review <@U2>\n",
        reachable="9-5",
        reach_via="DM",
    )
    assert reply.status == 200 and reply.body == b""
    posted = posted_in(fake_slack, "C1")
    text = blocks_json(posted)
    assert "<@U1> is working remotely today" in text
    assert "ship &lt;!channel&gt; &amp; co" in text and "review &lt;@U2&gt;" in text
    assert "<!channel>" not in text and "*Reachable:* 9-5" in text and "*How:* DM" in text
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.ts and p, what="the plan's ts")
    assert (plan.status, plan.items, plan.channel, plan.ts) == (
        "posted",
        ["ship <!channel> & co", "review <@U2>"],
        "C1",
        posted.ts,
    )
    assert (plan.reachable, plan.reach_via) == ("9-5", "DM")
    wait_until(lambda: "is posted to <#C1>" in blocks_json(prompt), what="the prompt updated")


@pytest.mark.parametrize(
    ("choice", "channel"),
    [({"share_to": "manager", "manager_user_id": "U9"}, "D9"), ({"share_to": "self"}, "D1")],
)
def test_a_plan_goes_to_the_manager_or_only_to_the_member(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, choice: dict[str, str], channel: str
) -> None:
    fake_slack.add_user("U9", tz="Europe/Berlin", name="boss")
    add_member(services, "U9")  # in Berlin too: the plan at 09:00 is in their working hours (else it waits)
    ana = add_member(services, **choice)
    before = len(fake_slack.messages)
    send_plan(slack, services, fake_slack, ana, "write the proposal")
    posted = posted_in(fake_slack, channel, before + 1)
    text = blocks_json(posted)
    assert "<@U1> is working remotely today" in text and "write the proposal" in text
    assert wait_until(lambda: stored_plan(services, ana).channel, what="the channel") == channel


def test_sending_the_plan_again_edits_the_posted_message(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    prompt, _ = send_plan(slack, services, fake_slack, ana, "first")
    first = posted_in(fake_slack, "C1")
    wait_until(lambda: "Edit the plan" in blocks_json(prompt), what="the prompt updated")
    view = open_form(slack, fake_slack, prompt, "plan_open")
    assert block_with_id(view, "items")["element"]["initial_value"] == "first"
    slack.submit_view(view, plan_values("first\nsecond"))
    wait_until(lambda: "second" in blocks_json(first), what="the plan edited")
    assert [m.channel for m in fake_slack.messages].count("C1") == 1


def test_a_bad_plan_is_marked_in_the_modal_and_nothing_is_stored(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    _, blank = send_plan(slack, services, fake_slack, ana, "  \n - \n")
    assert blank.json()["response_action"] == "errors" and "items" in blank.json()["errors"]
    too_many = slack.submit_view(
        {"id": "V2", "private_metadata": '{"date": "2026-11-24"}', "callback_id": "plan_form"},
        plan_values("\n".join(f"item {i}" for i in range(51))),
    )
    assert "Keep it to 50 items" in too_many.json()["errors"]["items"]
    assert stored_plan(services, ana) is None


def test_when_slack_refuses_the_channel_the_member_is_told_and_the_plan_is_kept(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C2", name="team", member=False)
    ana = add_member(services, share_to="channel", share_channel_id="C2")
    before = len(fake_slack.messages)
    send_plan(slack, services, fake_slack, ana, "keep <this> safe")
    warning = posted_in(fake_slack, "D1", before + 1)
    assert "not_in_channel" in blocks_json(warning) and "/invite @remote-wins" in blocks_json(warning)
    assert "keep &lt;this&gt; safe" in blocks_json(warning)  # what they typed, to see and post again
    plan = stored_plan(services, ana)
    assert (plan.status, plan.items, plan.ts) == ("posted", ["keep <this> safe"], None)
    assert element(warning, "plan_open")["text"]["text"] == "Post it again"


@pytest.mark.parametrize(("minutes", "until"), [(30, "09:30"), (60, "10:00")])
def test_snooze_asks_again_later_at_the_right_instant_in_the_members_zone(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, minutes: int, until: str
) -> None:
    ana = add_member(services, tz_override="Asia/Kathmandu")  # Slack says Berlin; the member chose +05:45
    now = datetime(2026, 11, 24, 3, 15, tzinfo=UTC)  # 09:00 in Kathmandu
    services.clock = lambda: now
    prompt = deliver(services, fake_slack, ana, "morning")
    press(slack, prompt, element(prompt, f"plan_snooze_{minutes}", f"2026-11-24|{minutes}"))
    _url, reply = wait_until(lambda: fake_slack.responses, what="the prompt replaced")[0]
    assert reply["replace_original"] is True and f"Snoozed until *{until}*" in blocks_json(reply)
    with services.sessions() as session:
        [slot] = session.scalars(select(PromptSlot).filter_by(member_id=ana.id, kind="morning_snooze"))
    assert (slot.due_at, slot.local_date) == (now + timedelta(minutes=minutes), DAY)


def test_skip_marks_the_day_and_no_end_of_day_prompt_follows(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    services.clock = lambda: MORNING
    prompt = deliver(services, fake_slack, ana, "morning")
    press(slack, prompt, element(prompt, "plan_skip"))
    _url, reply = wait_until(lambda: fake_slack.responses, what="the prompt replaced")[0]
    assert "Skipped Tuesday 24 November" in blocks_json(reply)
    assert (
        element(Message("D1", "1", None, reply["blocks"]), "plan_open")["text"]["text"]
        == "Write a plan after all"
    )
    assert stored_plan(services, ana).status == "skipped"
    with services.sessions() as session:
        assert prompt_message(session, ana.id, "eod", DAY, EVENING) is None


# -- the end of the day ------------------------------------------------------------------------------------


def test_the_sign_off_form_has_the_ticked_items_and_the_time_now_in_the_members_zone(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, tz_override="America/Santiago")  # -03:00 in November
    post_plan(services, ana, ["one", "two", "three"])
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    ticked = {
        "plan_done_0:2026-11-24": {
            "plan_done_0": {"type": "checkboxes", "selected_options": [{"value": "2"}]}
        }
    }
    view = open_form(slack, fake_slack, prompt, "summary_open", state=ticked)
    boxes = block_with_id(view, "done_0")["element"]
    assert [o["text"]["text"] for o in boxes["options"]] == ["one", "two", "three"]
    assert [o["value"] for o in boxes["initial_options"]] == ["2"]
    picker = block_with_id(view, "signed_off")["element"]
    assert (picker["initial_time"], picker["timezone"]) == ("13:45", "America/Santiago")
    assert block_with_id(view, "carry")["element"]["initial_options"][0]["value"] == "carry"


def test_ticking_a_box_in_the_message_is_kept(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    post_plan(services, ana, [f"item {i}" for i in range(12)])
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    second_group = element(prompt, "plan_done_1")
    press(slack, prompt, second_group | {"selected_options": [{"value": "11"}]})
    assert wait_until(lambda: stored_plan(services, ana).done, what="the tick") == [11]
    view = open_form(slack, fake_slack, prompt, "summary_open")
    assert [o["value"] for o in block_with_id(view, "done_1")["element"]["initial_options"]] == ["11"]


def test_signing_off_posts_done_n_of_m_in_the_plans_thread_and_makes_wins_only_of_the_items_picked(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    send_plan(slack, services, fake_slack, ana, "write the report\ncall the vendor\nreview PRs")
    plan_ts = posted_in(fake_slack, "C1").ts
    wait_until(lambda: stored_plan(services, ana).ts, what="the plan's ts")
    slack.command("unblocked QA", user="U1")  # a win logged during the day
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open", state=TICKED_0_AND_2)
    assert [o["value"] for o in block_with_id(view, "done_0")["element"]["initial_options"]] == ["0", "2"]
    picker = block_with_id(view, "wins_0")
    assert picker["label"]["text"] == "Log as wins too" and "initial_options" not in picker["element"]
    assert [o["text"]["text"] for o in picker["element"]["options"]] == [
        "write the report",
        "call the vendor",
        "review PRs",
    ]
    values = summary_values((0, 2), items=3, blockers="CI was red <!here>\nVPN & DNS", as_wins=(2,))
    assert slack.submit_view(view, values).body == b""
    summary = wait_until(
        lambda: [m for m in fake_slack.messages if m.thread_ts == plan_ts], what="the summary"
    )[0]
    text = blocks_json(summary)
    assert summary.channel == "C1" and "Done 2 of 3 planned" in text and "signed off at 17:45" in text
    assert "write the report" in text and "call the vendor" in text and "unblocked QA" in text
    assert "CI was red &lt;!here&gt;" in text and "VPN &amp; DNS" in text and "<!here>" not in text
    made = [w for w in saved_wins(services) if w.source == "summary"]
    assert [(w.text, w.category, w.day_kind, w.local_date) for w in made] == [
        ("review PRs", "shipped", "remote", DAY),  # ticked and picked; "write the report" only ticked
    ]
    assert f"review PRs → win #{made[0].id}" in text and "write the report →" not in text
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.summary_ts and p, what="the summary ts")
    assert (plan.status, plan.done, plan.signed_off, plan.summary_ts) == (
        "summarized",
        [0, 2],
        "17:45",
        summary.ts,
    )
    assert plan.blockers == "CI was red <!here>\nVPN & DNS"
    wait_until(
        lambda: "Summary posted in your plan's thread" in blocks_json(prompt), what="the prompt updated"
    )
    with services.sessions() as session:
        assert prompt_message(session, ana.id, "eod", DAY, EVENING) is None


def test_signing_off_twice_edits_the_summary_makes_no_second_win_and_drops_a_win_no_longer_picked(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    post_plan(services, ana, ["one", "two"])
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    slack.submit_view(view, summary_values((0,), items=2, as_wins=(0,)))
    summary = wait_until(
        lambda: [m for m in fake_slack.messages if "Done 1 of 2" in blocks_json(m)], what="it"
    )[0]
    wait_until(lambda: stored_plan(services, ana).summary_ts, what="the summary ts")
    slack.submit_view(view | {"id": "V-opened-again"}, summary_values((0, 1), items=2, as_wins=(0, 1)))
    wait_until(lambda: "Done 2 of 2 planned" in blocks_json(summary), what="the summary edited")
    assert [w.text for w in saved_wins(services)] == ["one", "two"]
    again = open_form(slack, fake_slack, POST_IT_AGAIN, "summary_open")  # opens as it was sent
    assert [o["value"] for o in block_with_id(again, "wins_0")["element"]["initial_options"]] == ["0", "1"]
    slack.submit_view(again, summary_values((0, 1), items=2, as_wins=(1,)))
    wait_until(
        lambda: [w.text for w in saved_wins(services)] == ["two"], what="the win no longer picked gone"
    )
    assert sum("signed off" in blocks_json(m) for m in fake_slack.messages if m.ts != prompt.ts) == 1


def test_a_done_item_that_repeats_a_win_logged_that_day_is_linked_not_logged_again(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    post_plan(services, ana, ["Unblock QA", "unblocked QA, finally", "write docs"])
    log_win(services, ana, "Unblocked QA!")
    log_win(services, ana, "unblocked QA", private=True)  # never offered: the summary may go out
    log_win(services, ana, "unblocked QA, finally", day=DAY - timedelta(days=1))  # another day's
    logged = saved_wins(services)[0]
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    offered = block_with_id(view, "link_0")["element"]
    assert [(o["value"], o["text"]["text"], o["description"]["text"]) for o in offered["options"]] == [
        (f"1:{logged.id}", "unblocked QA, finally", f"Same as win #{logged.id}: Unblocked QA!")
    ]  # "Unblock QA" has other words; "write docs" repeats nothing
    assert "initial_options" not in offered
    values = summary_values((1, 2), items=3, as_wins=(2,), links=((1, logged.id),))
    assert slack.submit_view(view, values).body == b""
    summary = posted_in(fake_slack, "C1")
    text = blocks_json(summary)
    assert f"unblocked QA, finally → win #{logged.id}" in text
    assert f"#{logged.id} Unblocked QA!" in text and text.count("Unblocked QA!") == 1
    made = [w for w in saved_wins(services) if w.source == "summary"]
    assert [w.text for w in made] == ["write docs"]  # the linked item made no win of its own
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.summary_ts and p, what="stored")
    assert plan.item_wins == [[1, logged.id], [2, made[0].id]]
    again = open_form(slack, fake_slack, POST_IT_AGAIN, "summary_open")
    linked = block_with_id(again, "link_0")["element"]["initial_options"]
    assert [o["value"] for o in linked] == [f"1:{logged.id}"]
    assert [o["value"] for o in block_with_id(again, "wins_0")["element"]["initial_options"]] == ["2"]


def test_a_bad_sign_off_is_marked_in_the_modal_and_nothing_is_saved(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services)
    post_plan(services, ana, ["write <the> report", "call the vendor"])
    log_win(services, ana, "Call the vendor.")
    [logged] = saved_wins(services)
    services.clock = lambda: EVENING
    view = open_form(slack, fake_slack, deliver(services, fake_slack, ana, "eod"), "summary_open")
    typed = {"blockers": "VPN & DNS", "tomorrow": "write docs", "carry": True}
    not_done = summary_values((1,), items=2, as_wins=(0,), **typed)
    not_done["wins_0"]["value"]["selected_options"][0]["text"] = {
        "type": "plain_text",
        "text": "write <the> report",
    }
    reply = slack.submit_view(view, not_done).json()
    assert reply == {
        "response_action": "errors",  # the modal stays open with everything typed in it
        "errors": {"wins_0": "Tick “write <the> report” as done above, or leave it out here."},
    }
    both = slack.submit_view(
        view, summary_values((1,), items=2, as_wins=(1,), links=((1, logged.id),), **typed)
    )
    assert both.json()["errors"] == {
        "link_0": f"“item 1” is already win #{logged.id}: link it here, or log it again above, not both."
    }
    unticked = slack.submit_view(view, summary_values((), items=2, links=((1, logged.id),), **typed))
    assert unticked.json()["errors"] == {"link_0": "Tick “item 1” as done above, or leave it out here."}
    assert stored_plan(services, ana).status == "posted" and len(saved_wins(services)) == 1
    fixed = slack.submit_view(view, summary_values((1,), items=2, links=((1, logged.id),), **typed))
    assert fixed.body == b""
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.status == "summarized" and p, what="it")
    assert (plan.blockers, plan.item_wins, len(saved_wins(services))) == ("VPN & DNS", [[1, logged.id]], 1)


# The summary's "Post it again" button (bot.blocks.plans.not_posted_message): the way back into a sent form.
POST_IT_AGAIN = Message(
    "D1",
    "1",
    None,
    [
        {
            "type": "actions",
            "elements": [{"type": "button", "action_id": "summary_open", "value": "2026-11-24"}],
        }
    ],
)
TICKED_0_AND_2 = {
    "plan_done_0:2026-11-24": {
        "plan_done_0": {"type": "checkboxes", "selected_options": [{"value": "0"}, {"value": "2"}]}
    }
}


def test_the_rest_and_tomorrows_plan_become_the_next_remote_days_draft(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, remote_days=0b1010)  # Tuesday and Thursday
    post_plan(services, ana, ["done today", "not yet", "later"])
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    assert block_with_id(view, "tomorrow")["label"]["text"] == "Plan for Thu 26 Nov"
    slack.submit_view(view, summary_values((0,), items=3, carry=True, tomorrow="write docs\nnot yet"))
    thursday = date(2026, 11, 26)
    draft = wait_until(lambda: stored_plan(services, ana, thursday), what="the draft")
    assert (draft.status, draft.items) == ("draft", ["not yet", "later", "write docs"])
    wait_until(
        lambda: "3 items waiting in the plan for Thursday 26 November" in blocks_json(prompt), what="notice"
    )
    services.clock = lambda: datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    morning = deliver(services, fake_slack, ana, "morning", thursday)
    assert "Carried over" in blocks_json(morning) and "write docs" in blocks_json(morning)
    form = open_form(slack, fake_slack, morning, "plan_open")
    assert block_with_id(form, "items")["element"]["initial_value"] == "not yet\nlater\nwrite docs"


def test_signing_off_without_a_morning_plan_posts_wins_and_blockers(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="self")
    services.clock = lambda: EVENING
    slack.command("fixed the build")
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    assert not any(b.get("block_id", "").startswith("done_") for b in view["blocks"])
    assert "carry" not in [b.get("block_id") for b in view["blocks"]]
    before = len(fake_slack.messages)
    slack.submit_view(view, summary_values(blockers="got access to prod"))
    summary = posted_in(fake_slack, "D1", before)
    assert summary.thread_ts is None
    text = blocks_json(summary)
    assert "No plan this morning" in text and "fixed the build" in text and "got access to prod" in text
    plan = wait_until(lambda: (p := stored_plan(services, ana)) and p.summary_ts and p, what="the summary ts")
    assert (plan.status, plan.items, plan.done) == ("summarized", [], [])


def test_the_summary_leaves_private_wins_out(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U9")
    ana = add_member(services, share_to="manager", manager_user_id="U9")
    with services.sessions.begin() as session:
        add_win(
            session,
            ana,
            WinDraft("private thing", DAY, private=True),
            source="modal",
            source_ref=None,
            now=MORNING,
        )
        add_win(session, ana, WinDraft("public thing", DAY), source="modal", source_ref=None, now=MORNING)
    services.clock = lambda: EVENING
    view = open_form(slack, fake_slack, deliver(services, fake_slack, ana, "eod"), "summary_open")
    slack.submit_view(view, summary_values())
    summary = posted_in(fake_slack, "D9")
    assert "public thing" in blocks_json(summary) and "private thing" not in blocks_json(summary)


def test_huge_plans_and_many_wins_stay_within_slacks_limits(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    items = ["<&>" * 666, *(f"i{n} <b>&" for n in range(49))]  # 50 items, the first 1,998 characters
    typed = "\n".join(items)
    assert len(typed) <= 3000
    _, reply = send_plan(slack, services, fake_slack, ana, typed, reachable="<&>" * 66, reach_via="&" * 200)
    assert reply.body == b""
    wait_until(lambda: stored_plan(services, ana).ts, what="the plan posted")
    with services.sessions.begin() as session:
        for n in range(600):
            add_win(
                session,
                ana,
                WinDraft(f"{n} " + "<&>" * 999, DAY),
                source="command",
                source_ref=None,
                now=EVENING,
            )
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")
    view = open_form(slack, fake_slack, prompt, "summary_open")
    assert len(view["blocks"]) <= 100 and view["id"]
    wait_until(
        lambda: any(v["callback_id"] == "summary_form" for v in fake_slack.views.values()), what="accepted"
    )
    values = summary_values(
        tuple(range(0, 50, 2)), items=50, blockers="<&>" * 1000, carry=True, tomorrow="x" * 3000
    )
    assert slack.submit_view(view, values).body == b""
    summary = wait_until(lambda: [m for m in fake_slack.messages if m.thread_ts], what="the summary")[0]
    assert "Done 25 of 50 planned" in blocks_json(summary)
    assert len(summary.blocks) <= 50 and "more." in blocks_json(summary)
    assert fake_slack.rejected_responses == []
    assert not any("wasn't posted" in (m.text or "") for m in fake_slack.messages)


def test_the_longest_plan_keeps_every_message_within_slacks_total_text() -> None:
    """Fifty items of `&` (each shown as `&amp;`): each message stays under the total Slack takes, and
    says how many items it left out rather than being refused whole."""
    items = tuple(f"{n:02d} " + "&" * 55 for n in range(50))
    done = tuple(range(25))
    plan = SavedPlan(
        1, 1, DAY, PlanStatus.SUMMARIZED, items, "9-5", "DM", "C1", "1.1", done, None, "17:30", None
    )
    audience = Audience("C1", "channel")
    win = SavedWin(0, 1, "&" * 300, DAY, "other", None, None, None, "remote", False, "command")
    wins = [replace(win, id=n) for n in range(30)]
    messages = [
        morning_prompt(DAY, audience, items),
        plan_message("U1", plan),
        eod_prompt(DAY, audience, plan, wins),
        summary_message("U1", replace(plan, done=(0,)), wins, None),
        held_message("U1", replace(plan, done=(0,)), wins, with_plan=True, with_summary=True),
    ]
    for message in messages:
        assert block_problem(message["blocks"], 50) is None
        assert text_size(message["blocks"]) <= MESSAGE_TEXT
        assert "more." in json.dumps(message)
    held = blocks_json(messages[-1])  # the plan and the summary each keep room for their first lines
    assert "• 00 &amp;" in held and "*Done*" in held and "*Not done yet*" in held
