"""The digest's buttons and the recap's, over signed HTTP against the fake Slack, on both backends."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import count
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks.digest import digest_messages
from bot.services import Services
from rules.deliveries import Kind, Status
from rules.schedule import DIGEST
from storage import ledger
from storage.digest import load_digest
from storage.members import MemberRef
from storage.models import Delivery as DeliveryRow
from storage.models import DigestAck, Member, Win
from tests import support
from tests.bot.test_plans import element, press
from tests.fake_slack import FakeSlack, Message
from tests.support import Reply, SlackRequests, blocks_json, save_win, wait_until

TEAM = "T0001"
WEEK = "2026-W48"
TUE = date(2026, 11, 24)
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 16:00 in Berlin
TRIGGERS = count(1)


add_member = partial(support.add_member, team=TEAM, joined=NOW - timedelta(days=60))


log = partial(save_win, day=TUE, at=NOW, day_kind="remote")


@pytest.fixture
def team(services: Services, fake_slack: FakeSlack) -> dict[str, MemberRef]:
    """UM manages ana (UA) and bo (UB); UX manages nobody here."""
    services.clock = lambda: NOW
    return {
        "manager": add_member(services, "UM", slack=fake_slack, tz="Europe/Berlin"),
        "ana": add_member(services, "UA", slack=fake_slack, manager_user_id="UM", remote_days=0b0011110),
        "bo": add_member(services, "UB", slack=fake_slack, manager_user_id="UM"),
        "stranger": add_member(services, "UX", slack=fake_slack),
    }


def send_digest(services: Services, fake_slack: FakeSlack, manager: str = "UM") -> Message:
    """Post the digest's first message as the clock would (recording where it went in the ledger), and
    return it as the manager sees it."""
    with services.sessions() as session:
        digest = load_digest(session, TEAM, manager, WEEK, now=NOW)
    posted = services.client.chat_postMessage(channel=manager, **digest_messages(digest)[0])
    with services.sessions.begin() as session:
        member = session.scalar(select(Member).filter_by(workspace_id=TEAM, user_id=manager))
        key = ledger.DeliveryKey(TEAM, member.id, DIGEST, WEEK)
        delivery_id = ledger.claim(session, key, due_at=NOW, now=NOW, worker="test")
        if delivery_id is not None:
            ledger.finish(
                session, delivery_id, status="sent", now=NOW, channel=posted["channel"], ts=posted["ts"]
            )
    return next(m for m in fake_slack.messages if m.ts == posted["ts"])


def dms_to(fake_slack: FakeSlack, user: str) -> list[Message]:
    return [m for m in fake_slack.messages if m.channel == "D" + user[1:]]


def opened(fake_slack: FakeSlack, before: int, method: str = "views.open") -> dict[str, Any]:
    calls = wait_until(lambda: fake_slack.calls_to(method)[before:], what=method)
    return calls[0].params["view"]


def press_in_view(slack: SlackRequests, view_id: str, action_id: str, value: str, user: str = "UM") -> Reply:
    """A button pressed inside a modal: the payload names the view, and there is no response_url."""
    return slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": slack.team, "domain": "acme"},
            "user": {"id": user},
            "api_app_id": "A1",
            "trigger_id": f"trigger-view-{next(TRIGGERS)}",
            "container": {"type": "view", "view_id": view_id},
            "view": {"id": view_id, "type": "modal"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        }
    )


def ask_values(question: str | None, win_id: int | None = None) -> dict[str, Any]:
    picked = {"selected_option": {"value": str(win_id)}} if win_id else {"selected_option": None}
    return {
        "question": {"value": {"type": "plain_text_input", "value": question}},
        "win": {"value": {"type": "static_select", **picked}},
    }


# -- Acknowledge -------------------------------------------------------------------------------------------


def test_acknowledging_records_once_and_tells_each_report_once(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    log(services, team["ana"], "shipped the importer")
    digest = send_digest(services, fake_slack)
    as_sent = copy.deepcopy(digest)
    button = element(digest, "digest_ack")
    slack.event({"type": "app_home_opened", "user": "UM", "channel": "DM", "tab": "home"})
    wait_until(lambda: len(fake_slack.calls_to("views.publish")) == 1, what="the manager's Home")
    assert press(slack, digest, button, user="UM").status == 200
    wait_until(lambda: len(dms_to(fake_slack, "UA")) == 1 and len(dms_to(fake_slack, "UB")) == 1, what="DMs")
    wait_until(lambda: "Acknowledged" in blocks_json(digest), what="the digest marked")
    shown = blocks_json(digest)
    assert "Acknowledged Fri 27 Nov 16:00 (Europe/Berlin)" in shown and "digest_ack" not in shown
    wait_until(lambda: len(fake_slack.calls_to("views.publish")) == 2, what="the first press's end")
    [notice] = dms_to(fake_slack, "UA")
    assert "<@UM>" in blocks_json(notice) and "read your week" in blocks_json(notice)

    services.clock = lambda: NOW + timedelta(hours=1)
    assert press(slack, as_sent, button, user="UM").status == 200  # pressed again before the update showed
    # The Home is republished last, after any DM: once it is, the second press has done all it will.
    wait_until(lambda: len(fake_slack.calls_to("views.publish")) == 3, what="the second press's end")
    assert len(fake_slack.calls_to("chat.update")) == 2
    assert len(dms_to(fake_slack, "UA")) == 1 and len(dms_to(fake_slack, "UB")) == 1
    assert "Acknowledged Fri 27 Nov 16:00" in blocks_json(digest)  # the first press's instant stands
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestAck)) == 1


def test_read_notices_take_the_clocks_path_retried_and_recorded_as_its_sends_are(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    """The one sender (bot.notices): a proxy's 502, which slack_sdk's own handler gives up on, is retried
    within the call as the clock's sends are, and the ledger records the moment the call began."""
    digest = send_digest(services, fake_slack)
    fake_slack.fail_next("chat.postMessage", status=502)
    assert press(slack, digest, element(digest, "digest_ack"), user="UM").status == 200
    wait_until(lambda: len(dms_to(fake_slack, "UA")) == 1 and len(dms_to(fake_slack, "UB")) == 1, what="DMs")

    def finished() -> list[DeliveryRow]:
        with services.sessions() as session:
            rows = session.scalars(select(DeliveryRow).filter_by(kind=Kind.READ_NOTICE)).all()
        return list(rows) if rows and all(r.status != Status.CLAIMED for r in rows) else []

    rows = wait_until(finished, what="the notices recorded")
    assert [(r.status, r.error) for r in rows] == [(Status.SENT, None)] * 2
    assert all(r.sending_at is not None and r.channel and r.ts for r in rows)


# -- Details and Show all ----------------------------------------------------------------------------------


def test_details_open_the_reports_week_for_the_manager_only(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    log(services, team["ana"], "fixed <!channel> & the build")
    log(services, team["ana"], "a private one", private=True)
    value = f"{team['ana'].id}:{WEEK}"
    slack.action("digest_details", value, user="UM")
    view = opened(fake_slack, 0)
    assert view["callback_id"] == "digest_detail"
    shown = blocks_json(view)
    assert "fixed &lt;!channel&gt; &amp; the build" in shown and "a private one" not in shown

    reply_url = fake_slack.new_response_url()
    slack.action("digest_show_all", value, user="UX", response_url=reply_url)
    _url, refusal = wait_until(
        lambda: [r for r in fake_slack.responses if r[0] == reply_url], what="refusal"
    )[0]
    assert refusal["response_type"] == "ephemeral" and "Only the manager" in refusal["text"]
    assert len(fake_slack.calls_to("views.open")) == 1

    slack.action("digest_details", f"{team['ana'].id}:{WEEK}", user="UB")  # a teammate: refused too
    slack.action("digest_details", value, user="UA")  # Ana herself, from her recap: her own week
    view = opened(fake_slack, 1)
    shown = blocks_json(view)
    assert "fixed &lt;!channel&gt; &amp; the build" in shown and "a private one" not in shown
    assert len(fake_slack.calls_to("views.open")) == 2

    own_url = fake_slack.new_response_url()  # but asking questions about a week stays the manager's
    slack.action("digest_ask", value, user="UA", response_url=own_url)
    _url, refusal = wait_until(lambda: [r for r in fake_slack.responses if r[0] == own_url], what="refusal")[
        0
    ]
    assert "Only the manager" in refusal["text"] and len(fake_slack.calls_to("views.open")) == 2


def test_a_long_week_pages_through_the_details_modal(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    for n in range(150):
        log(services, team["ana"], f"win {n} " + "x" * 2500)
    value = f"{team['ana'].id}:{WEEK}"
    slack.action("digest_show_all", value, user="UM")
    first = opened(fake_slack, 0)
    [next_button] = [
        e
        for b in first["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "digest_detail_next"
    ]
    view_id = wait_until(  # the fake records the call as it arrives and stores the view as it answers
        lambda: next(
            (v["id"] for v in fake_slack.views.values() if v.get("callback_id") == "digest_detail"), None
        ),
        what="the Details view stored",
    )
    press_in_view(slack, view_id, "digest_detail_next", next_button["value"])
    second = opened(fake_slack, 0, "views.update")
    assert "· 2 of" in second["title"]["text"] and len(second["blocks"]) <= 100
    press_in_view(slack, view_id, "digest_ask", value)  # Ask, from the Details modal: stacked on it
    ask = opened(fake_slack, 0, "views.push")
    [select] = [b["element"] for b in ask["blocks"] if b.get("block_id") == "win"]
    assert len(select["options"]) == 100 and all(len(o["text"]["text"]) <= 75 for o in select["options"])
    assert "The first 100 of 150 wins are listed" in blocks_json(ask)


# -- Ask a question ----------------------------------------------------------------------------------------


def test_a_question_reaches_the_report_quoting_the_win_inert(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    win_id = log(services, team["ana"], "told <!channel> about <@U2> & more")
    log(services, team["ana"], "kept to myself", private=True)
    slack.action("digest_ask", f"{team['ana'].id}:{WEEK}", user="UM")
    view = opened(fake_slack, 0)
    options = next(b for b in view["blocks"] if b.get("block_id") == "win")["element"]["options"]
    assert [o["value"] for o in options] == [str(win_id)]  # the private win isn't offered
    assert all(len(o["text"]["text"]) <= 75 for o in options)

    reply = slack.submit_view(view | {"id": "VQ"}, ask_values("How did <this> go?", win_id), user="UM")
    assert reply.status == 200 and reply.body == b""
    [question] = wait_until(lambda: dms_to(fake_slack, "UA"), what="the question")
    shown = blocks_json(question)
    assert "<@UM>" in shown and "How did &lt;this&gt; go?" in shown
    assert (
        "&gt; told &lt;!channel&gt; about &lt;@U2&gt; &amp; more" not in shown
    )  # the quote isn't escaped twice
    assert "> told &lt;!channel&gt; about &lt;@U2&gt; &amp; more" in shown
    assert "<!channel>" not in shown and "<@U2>" not in shown
    wait_until(lambda: dms_to(fake_slack, "UM"), what="the manager's confirmation")


def test_an_empty_question_is_an_error_in_the_modal(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    slack.action("digest_ask", f"{team['bo'].id}:{WEEK}", user="UM")
    view = opened(fake_slack, 0)
    assert not any(b.get("block_id") == "win" for b in view["blocks"])  # bo logged nothing: no select
    reply = slack.submit_view(view | {"id": "VE"}, ask_values("   "), user="UM")
    assert reply.json()["response_action"] == "errors" and "question" in reply.json()["errors"]
    forged = slack.submit_view(view | {"id": "VF"}, ask_values("why?"), user="UX")  # not bo's manager
    assert forged.json()["response_action"] == "errors"
    assert dms_to(fake_slack, "UB") == []


# -- the recap's buttons -----------------------------------------------------------------------------------


def test_marking_wins_private_hides_them_from_the_digest(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    ids = [log(services, team["ana"], f"ana win {n}", day=TUE + timedelta(days=n % 3)) for n in range(23)]
    log(services, team["ana"], "already private", private=True)
    log(services, team["ana"], "last week", day=TUE - timedelta(days=7))
    bo_win = log(services, team["bo"], "bo's win")
    slack.action("recap_private", WEEK, user="UA")
    view = opened(fake_slack, 0)
    groups = [b for b in view["blocks"] if b.get("block_id", "").startswith("private_")]
    assert [len(g["element"]["options"]) for g in groups] == [10, 10, 3]
    listed = {int(o["value"]) for g in groups for o in g["element"]["options"]}
    assert listed == set(ids)

    def ticked(*win_ids: int) -> dict[str, Any]:
        return {"type": "checkboxes", "selected_options": [{"value": str(i)} for i in win_ids]}

    values = {"private_0": {"value": ticked(ids[0], bo_win)}, "private_2": {"value": ticked(ids[22])}}
    reply = slack.submit_view(view | {"id": "VP"}, values, user="UA")
    assert reply.json()["response_action"] == "update"
    assert "2 wins now private" in blocks_json(reply.json()["view"])
    with services.sessions() as session:
        private = set(session.scalars(select(Win.id).where(Win.private.is_(True))))
        digest = load_digest(session, TEAM, "UM", WEEK, now=NOW, shown_per_report=None)
    assert {ids[0], ids[22]} <= private and bo_win not in private  # only ana's own wins
    texts = {w.text for r in digest.reports for w in r.wins}
    assert (
        "ana win 0" not in texts
        and "ana win 22" not in texts
        and "bo's win" in texts
        and "ana win 1" in texts
    )


def test_add_a_forgotten_win_opens_the_form(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, team: dict[str, MemberRef]
) -> None:
    slack.action("recap_add", WEEK, user="UA")
    assert opened(fake_slack, 0)["callback_id"] == "win_form"
