"""A member's data is theirs, in Slack and at the command line: `export` uploads everything as JSON beside
the evidence pack, `forget-me` erases after a confirmation (Cancel, a second Confirm and a replay are
safe), a named manager can say "Not my report", and the operator's `remote-wins member export|forget`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, update

from bot import privacy as bot_privacy
from bot.blocks.digest import DECLINE, DETAILS
from bot.blocks.privacy import FORGET_CANCEL, FORGET_CONFIRM
from bot.services import Services
from jobs.digest import weekly_parcel
from rules.schedule import DIGEST
from storage import privacy
from storage.members import MemberRef
from storage.models import Delivery, DigestRun, Member, Win
from tests.bot.test_digest_buttons import NOW, WEEK, add_member, dms_to, log, send_digest
from tests.bot.test_direct_messages import USER, dm, dm_channel, wait_for_replies  # noqa: F401
from tests.bot.test_evidence_pack import files_in
from tests.bot.test_plans import element, press
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import cli_env
from tests.remote_wins.test_cli import remote_wins
from tests.support import SlackRequests, blocks_json, wait_until

TEAM = "T0001"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def people(services: Services, fake_slack: FakeSlack) -> dict[str, MemberRef]:
    """UM manages ana (UA) and bo (UB); ana's own report is UR (so ana is someone's manager too)."""
    services.clock = lambda: NOW
    return {
        "manager": add_member(services, "UM", slack=fake_slack, tz="Europe/Berlin"),
        "ana": add_member(services, "UA", slack=fake_slack, manager_user_id="UM", share_to="manager"),
        "bo": add_member(services, "UB", slack=fake_slack, manager_user_id="UM"),
        "ana_report": add_member(services, "UR", slack=fake_slack, manager_user_id="UA"),
    }


def button_body(slack: SlackRequests, action_id: str, value: str, user: str, response_url: str) -> bytes:
    """A button press on the ephemeral answer, as one request body that can be sent twice."""
    payload = {
        "type": "block_actions",
        "team": {"id": slack.team, "domain": "acme"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": f"trigger-{action_id}-{len(slack.fake.calls)}",
        "response_url": response_url,
        "container": {"type": "message", "is_ephemeral": True},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def answers_at(fake: FakeSlack, url: str) -> list[dict[str, Any]]:
    return [payload for at, payload in fake.responses if at == url]


def press_answer(
    slack: SlackRequests, action_id: str, value: str, user: str, count: int = 1
) -> dict[str, Any]:
    """Press a button and return the answer that replaced (or followed) the message."""
    url = slack.fake.new_response_url()
    assert slack.post(button_body(slack, action_id, value, user, url), FORM).status == 200
    return wait_until(lambda: answers_at(slack.fake, url)[count - 1 :], what=f"{action_id}'s answer")[0]


def ask_to_forget(slack: SlackRequests, user: str) -> str:
    """`/remote-win forget-me`: the confirmation's token, from its Confirm button."""
    reply = slack.command("forget-me", user=user).json()
    assert "Forget me?" in reply["text"]
    [actions] = [b for b in reply["blocks"] if b["type"] == "actions"]
    confirm, cancel = actions["elements"]
    assert (confirm["action_id"], cancel["action_id"]) == (FORGET_CONFIRM, FORGET_CANCEL)
    assert confirm["value"] == cancel["value"]
    return str(confirm["value"])


def member_row(services: Services, user: str) -> Member | None:
    with services.sessions() as session:
        return session.scalar(select(Member).filter_by(workspace_id=TEAM, user_id=user))


def win_texts(services: Services, user: str) -> list[str]:
    with services.sessions() as session:
        query = select(Win.text).join(Member, Member.id == Win.member_id).where(Member.user_id == user)
        return list(session.scalars(query.order_by(Win.id)))


# -- export ------------------------------------------------------------------------------------------------


def test_export_without_a_range_uploads_the_pack_and_every_record_as_json(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    log(services, people["ana"], "shipped <the> importer & more")
    log(services, people["ana"], "my secret win", private=True)
    log(services, people["bo"], "bo's own win")
    answer = slack.command("export", user="UA").json()
    assert "with everything remote-wins keeps about you (JSON) is in your DM" in answer["text"]
    intro = wait_until(lambda: [m for m in dms_to(fake_slack, "UA") if "evidence pack" in blocks_json(m)])[0]
    files = wait_until(
        lambda: files_in(fake_slack, intro.ts) if len(files_in(fake_slack, intro.ts)) == 3 else None
    )
    [name] = [n for n in files if n.endswith(".json")]
    assert name == "remote-wins-data-UA-2026-11-27.json"
    data = json.loads(files[name])
    assert data["format"] == "remote-wins member export" and (data["workspace_id"], data["user_id"]) == (
        TEAM,
        "UA",
    )
    assert data["member"]["manager_user_id"] == "UM"
    assert [w["text"] for w in data["tables"]["wins"]] == ["shipped <the> importer & more", "my secret win"]
    assert "bo's own win" not in files[name].decode()
    assert {"plans", "metrics", "metric_values", "trials", "trial_checkins", "deliveries"} <= set(
        data["tables"]
    )


def test_export_with_a_range_uploads_only_the_pack(
    slack: SlackRequests, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    answer = slack.command("export 2026-11-23..2026-11-29", user="UA").json()
    assert "(23 Nov – 26 Nov 2026) is in your DM" in answer["text"] and "JSON" not in answer["text"]
    intro = wait_until(lambda: [m for m in dms_to(fake_slack, "UA") if "evidence pack" in blocks_json(m)])[0]
    files = wait_until(
        lambda: files_in(fake_slack, intro.ts) if len(files_in(fake_slack, intro.ts)) == 2 else None
    )
    assert sorted(Path(n).suffix for n in files) == [".csv", ".html"]


# -- forget-me ---------------------------------------------------------------------------------------------


def test_forget_me_asks_first_and_cancel_deletes_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    log(services, people["ana"], "keep me")
    token = ask_to_forget(slack, "UA")
    assert member_row(services, "UA") is not None  # asking changes nothing
    cancelled = press_answer(slack, FORGET_CANCEL, token, "UA")
    assert cancelled["replace_original"] is True and "nothing was deleted" in cancelled["text"]
    # The cancelled confirmation's Confirm button erases nothing.
    stale = press_answer(slack, FORGET_CONFIRM, token, "UA")
    assert "cancelled or replaced" in stale["text"]
    # Nor does an older confirmation once a newer one was asked for.
    older = ask_to_forget(slack, "UA")
    ask_to_forget(slack, "UA")
    assert "cancelled or replaced" in press_answer(slack, FORGET_CONFIRM, older, "UA")["text"]
    # Nor someone else pressing a copy of the button: it is keyed to the presser.
    newest = ask_to_forget(slack, "UA")
    assert "cancelled or replaced" in press_answer(slack, FORGET_CONFIRM, newest, "UB")["text"]
    assert win_texts(services, "UA") == ["keep me"] and member_row(services, "UB") is not None


def test_confirm_erases_once_tells_the_reports_nothing_private_and_a_new_command_starts_afresh(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    log(services, people["ana"], "first")
    log(services, people["ana"], "second", private=True)
    slack.command("list", user="UA")  # the member is in this process's cache
    token = ask_to_forget(slack, "UA")
    url = fake_slack.new_response_url()
    body = button_body(slack, FORGET_CONFIRM, token, "UA", url)
    assert slack.post(body, FORM).status == 200
    done = wait_until(lambda: answers_at(fake_slack, url), what="the answer")[0]
    assert done["text"].startswith(":wastebasket: Done: remote-wins deleted 2 wins")
    assert member_row(services, "UA") is None and win_texts(services, "UA") == []
    # UR named ana as manager: the link is cleared and UR is told, once, without a word of why.
    [notice] = wait_until(lambda: dms_to(fake_slack, "UR"), what="UR's notice")
    assert "The manager you named is no longer set as yours" in blocks_json(notice)
    assert "forg" not in blocks_json(notice).lower() and "delet" not in blocks_json(notice).lower()
    assert member_row(services, "UR").manager_user_id is None  # type: ignore[union-attr]
    home = wait_until(
        lambda: [c for c in fake_slack.calls_to("views.publish") if c.params["user_id"] == "UA"]
    )
    assert "keeps nothing about you" in json.dumps(home[-1].params["view"])
    # The same request again, and a second press: nothing more happens.
    assert slack.post(body, FORM).status == 200
    again = wait_until(lambda: answers_at(fake_slack, url)[1:], what="the replay's answer")[0]
    assert "keeps nothing about you" in again["text"]
    assert "keeps nothing about you" in press_answer(slack, FORGET_CONFIRM, token, "UA")["text"]
    assert len(dms_to(fake_slack, "UR")) == 1
    # A new /remote-win starts from nothing.
    saved = slack.command("a fresh start", user="UA").json()
    assert "Saved" in saved["text"]
    assert win_texts(services, "UA") == ["a fresh start"]
    fresh = member_row(services, "UA")
    assert fresh is not None and fresh.manager_user_id is None and fresh.forget_token is None
    # A replay of the old Confirm, after the new start, erases nothing.
    assert slack.post(body, FORM).status == 200
    wait_until(lambda: answers_at(fake_slack, url)[2:], what="the late replay's answer")
    assert win_texts(services, "UA") == ["a fresh start"]
    # forget-me for someone remote-wins never saw says so, and creates nobody.
    never = slack.command("forget-me", user="UZ").json()
    assert "keeps nothing about you" in never["text"] and member_row(services, "UZ") is None


def test_forget_me_in_a_dm_asks_there_and_its_confirm_erases(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,  # noqa: F811
) -> None:
    slack.command("a win to erase")
    slack.event(dm("forget-me"))
    [question] = wait_for_replies(fake_slack, dm_channel, 1)
    assert "Forget me?" in blocks_json(question) and "1 win" in blocks_json(question)
    assert press(slack, question, element(question, FORGET_CONFIRM), user=USER).status == 200
    wait_until(lambda: member_row(services, USER) is None, what="the erasure")
    assert win_texts(services, USER) == []


def test_a_digest_built_before_the_erasure_no_longer_shows_them(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    log(services, people["ana"], "ana's launch")
    log(services, people["bo"], "bo's fix")
    manager = people["manager"].id
    with services.sessions.begin() as session:  # the clock builds it; its send fails, to be retried
        built = weekly_parcel(session, manager, DIGEST, WEEK, NOW, NOW)
        assert built is not None and "ana's launch" in json.dumps(built.messages)
    with services.sessions() as session:
        run = session.scalar(select(DigestRun).filter_by(manager_member_id=manager))
        assert run is not None and run.delivered_at is None
        assert session.scalar(select(func.count()).select_from(Win).where(Win.digest_id == run.id)) == 2
    press_answer(slack, FORGET_CONFIRM, ask_to_forget(slack, "UA"), "UA")
    with services.sessions.begin() as session:  # the retry renders the digest as built, less ana
        retried = weekly_parcel(session, manager, DIGEST, WEEK, NOW, NOW + timedelta(minutes=1))
    assert retried is not None
    shown = json.dumps(retried.messages)
    assert "bo's fix" in shown and "ana's launch" not in shown and "*ua*" not in shown


def test_a_member_erased_by_another_process_logs_a_win_as_a_new_member(
    slack: SlackRequests, services: Services, people: dict[str, MemberRef]
) -> None:
    """Another process's forget-me (or `remote-wins member forget`) leaves this process's cached copy for
    up to a minute: the win is saved for the member as they are now, not refused."""
    log(services, people["ana"], "before")
    with services.sessions.begin() as session:  # checked with Slack just now, so the cached copy is used
        session.execute(update(Member).where(Member.id == people["ana"].id).values(tz_checked_at=NOW))
    assert "before" in json.dumps(slack.command("list", user="UA").json())  # cached here
    with services.sessions.begin() as session:
        assert privacy.forget(session, TEAM, "UA", NOW) is not None
    assert "Saved" in slack.command("after", user="UA").json()["text"]
    assert win_texts(services, "UA") == ["after"]
    fresh = member_row(services, "UA")
    assert fresh is not None and fresh.id != people["ana"].id


# -- Not my report -----------------------------------------------------------------------------------------


def test_a_manager_declines_a_report_who_is_told_once_and_leaves_the_digest(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef]
) -> None:
    log(services, people["ana"], "ana's launch")
    log(services, people["bo"], "bo's fix")
    digest = send_digest(services, fake_slack)
    button = element(digest, DECLINE, f"{people['ana'].id}:{WEEK}")
    assert button["confirm"]["confirm"]["text"] == "Not my report"  # Slack asks again before it is sent
    # Someone else pressing a copy of the button changes nothing.
    assert press(slack, digest, button, user="UB").status == 200
    # The manager's press clears the link and tells ana.
    assert press(slack, digest, button, user="UM").status == 200
    [notice] = wait_until(lambda: dms_to(fake_slack, "UA"), what="ana's notice")
    assert "<@UM> says they aren't your manager" in blocks_json(notice)
    ana = member_row(services, "UA")
    assert ana is not None and ana.manager_user_id is None and ana.share_to == "self"
    assert member_row(services, "UB").manager_user_id == "UM"  # type: ignore[union-attr]
    # Pressed again: nothing more; Details of ana's week is refused; the next digest is bo's alone.
    press(slack, digest, button, user="UM")
    assert len(dms_to(fake_slack, "UA")) == 1
    details = element(digest, DETAILS, f"{people['ana'].id}:{WEEK}")
    press(slack, digest, details, user="UM")
    wait_until(lambda: [r for r in fake_slack.responses if "Only the manager" in json.dumps(r[1])])
    from storage.digest import load_digest

    with services.sessions() as session:
        names = [r.report.user_id for r in load_digest(session, TEAM, "UM", WEEK, now=NOW).reports]
    assert names == ["UB"]
    with services.sessions() as session:
        kinds = session.scalars(select(Delivery.kind).where(Delivery.member_id == people["ana"].id))
        assert list(kinds).count("manager_declined") == 1


def test_a_named_manager_is_told_once_and_can_decline_from_that_notice(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    people: dict[str, MemberRef],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told_after: list[str] = []  # each naming's notice work, finished (it runs after the ack)

    def tell(*args: Any) -> None:
        bot_privacy.tell_named_manager(*args)
        told_after.append(args[-1])

    monkeypatch.setattr("bot.listeners.settings.tell_named_manager", tell)
    add_member(services, "UN", slack=fake_slack)
    assert "Your manager is <@UN>" in slack.command("manager <@UN|un>", user="UB").json()["text"]
    [notice] = wait_until(lambda: dms_to(fake_slack, "UN"), what="the notice")
    assert "<@UB> named you as their manager" in blocks_json(notice)
    # Naming someone else and then them again tells them nothing new.
    slack.command("manager <@UM|um>", user="UB")
    slack.command("manager <@UN|un>", user="UB")
    wait_until(lambda: len(told_after) == 3, what="every naming's notice work")
    assert len(dms_to(fake_slack, "UN")) == 1 and len(dms_to(fake_slack, "UM")) == 1
    assert member_row(services, "UB").manager_user_id == "UN"  # type: ignore[union-attr]
    button = element(notice, DECLINE)
    assert press(slack, notice, button, user="UN").status == 200
    [told] = wait_until(lambda: dms_to(fake_slack, "UB"), what="bo told")
    assert "<@UN> says they aren't your manager" in blocks_json(told)
    assert member_row(services, "UB").manager_user_id is None  # type: ignore[union-attr]
    assert len(dms_to(fake_slack, "UN")) == 1


# -- the operator's command line ---------------------------------------------------------------------------


def test_remote_wins_member_export_and_forget(
    services: Services, fake_slack: FakeSlack, people: dict[str, MemberRef], database_url: str, tmp_path: Path
) -> None:
    from storage.members import save_member

    log(services, people["ana"], "ana's launch")
    with services.sessions.begin() as session:  # the same user id in another workspace
        save_member(session, "T0002", "UA", tz="UTC", display_name="other ana", now=NOW)
    env = cli_env(fake_slack, database_url)
    both = remote_wins("member", "export", "--user", "UA", cwd=tmp_path, env=env)
    assert both.returncode == 2 and "UA is in 2 workspaces: add --team" in both.stderr
    run = remote_wins("member", "export", "--user", "UA", "--team", TEAM, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert [w["text"] for w in data["tables"]["wins"]] == ["ana's launch"] and data["workspace_id"] == TEAM
    out = tmp_path / "ana.json"
    to_file = remote_wins(
        "member", "export", "--user", "UA", "--team", TEAM, "--out", str(out), cwd=tmp_path, env=env
    )
    assert to_file.returncode == 0 and json.loads(out.read_text())["member"] == data["member"]
    nobody = remote_wins("member", "forget", "--user", "UZ", cwd=tmp_path, env=env)
    assert nobody.returncode == 2 and "UZ is not a member" in nobody.stderr
    gone = remote_wins("member", "forget", "--user", "UA", "--team", TEAM, cwd=tmp_path, env=env)
    assert gone.returncode == 0, gone.stderr
    assert "forgot UA in T0001: deleted" in gone.stdout and "cleared the manager link of UR" in gone.stdout
    assert member_row(services, "UA") is None
    with services.sessions() as session:
        assert (
            session.scalar(select(Member.display_name).filter_by(workspace_id="T0002", user_id="UA"))
            == "other ana"
        )
    assert "The manager you named" in blocks_json(dms_to(fake_slack, "UR")[0])
    # With Slack unreachable the erasure is still done, and said so; the DM is recorded as failed.
    unreachable = env | {"SLACK_API_URL": "http://127.0.0.1:9/api/"}
    manager = remote_wins("member", "forget", "--user", "UM", cwd=tmp_path, env=unreachable)
    assert manager.returncode == 0, manager.stderr
    assert "forgot UM in T0001" in manager.stdout and "cleared the manager link of UB" in manager.stdout
    assert member_row(services, "UM") is None and member_row(services, "UB").manager_user_id is None  # type: ignore[union-attr]
    with services.sessions() as session:
        failed = session.scalars(select(Delivery.error).where(Delivery.kind == "manager_gone"))
        assert "connection_error" in list(failed)
