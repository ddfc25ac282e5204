"""Who can see what: docs/ACCESS.md, cell by cell. Each test id names the row (who asks) and the column
(what they ask for); the requests are real signed requests to the running app, and what each actor got is
read from what the fake Slack received (for the operator: what `remote-wins` printed).

The subject is ana (UA, display name Anastasia) in workspace T0001: she named UO as her manager, then UD,
who pressed "Not my report", and now names UM. UX is another member. T0002 holds another UA, who names
another UM: its requests are signed correctly, with user ids that also exist in T0001.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from bot.blocks.digest import DECLINE, DETAILS
from bot.listeners.digest import NOT_YOURS
from bot.services import Services
from jobs.digest import weekly_parcel
from rules.schedule import DIGEST, RECAP
from storage.members import MemberRef, save_member
from storage.models import Member, Win
from tests import support
from tests.bot.test_digest_buttons import NOW, TUE, WEEK, log
from tests.bot.test_evidence_pack import files_in
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import cli_env
from tests.remote_wins.test_cli import remote_wins
from tests.support import Reply, SlackRequests, after_ack_done, form_values, wait_until

T1, T2 = "T0001", "T0002"
FORM = "application/x-www-form-urlencoded"
SHARED, PRIVATE, T2_WIN, NAME = "ana shared win", "ana private win", "t2 ana win", "Anastasia"
ROWS = (
    "member",
    "manager",
    "other_member",
    "former_manager",
    "declined_manager",
    "operator",
    "other_workspace",
)
COLUMNS = ("own_wins", "private_wins", "digests", "details", "export", "edit_delete", "home")
# Who each row is in Slack: (workspace, user). A request from another workspace carries ana's user id where
# the column is about a member's own things, and her manager's where it is about a manager's.
ACTOR = {
    "member": (T1, "UA"),
    "manager": (T1, "UM"),
    "other_member": (T1, "UX"),
    "former_manager": (T1, "UO"),
    "declined_manager": (T1, "UD"),
}
MANAGER_COLUMNS = ("digests", "details")


@dataclass
class World:
    services: Services
    fake: FakeSlack
    app_url: str
    database_url: str
    tmp_path: Path
    ana: MemberRef
    shared_id: int
    private_id: int
    foreign_refused: bool  # the app refuses a workspace it doesn't serve (see `refused`)

    def requests(self, team: str) -> SlackRequests:
        return slack_for(self.app_url, self.fake, team)

    def actor(self, row: str, column: str) -> tuple[str, str]:
        if row == "other_workspace":
            return T2, "UM" if column in MANAGER_COLUMNS else "UA"
        return ACTOR[row]

    def cli(self, *args: str) -> str:
        run = remote_wins(*args, cwd=self.tmp_path, env=cli_env(self.fake, self.database_url))
        assert run.returncode == 0, run.stderr
        return run.stdout


add_member = partial(support.add_member, tz="Europe/Berlin", joined=NOW - timedelta(hours=1))


def manager_of(services: Services, team: str, user: str) -> str | None:
    with services.sessions() as session:
        return session.scalar(select(Member.manager_user_id).filter_by(workspace_id=team, user_id=user))


@pytest.fixture
def world(
    services: Services, fake_slack: FakeSlack, app_url: str, database_url: str, tmp_path: Path
) -> World:
    services.clock = lambda: NOW
    slack = SlackRequests(f"{app_url}/slack/events", SIGNING_SECRET, fake_slack, team=T1)
    ana = add_member(services, "UA", slack=fake_slack, team=T1, name=NAME)
    others = {
        user: add_member(services, user, slack=fake_slack, team=T1, name=name)
        for user, name in (("UM", "mia"), ("UX", "xavi"), ("UO", "olga"), ("UD", "dan"))
    }
    # ana's history: UO, then UD (who declines), then UM; each step a real request.
    for manager, name in (("UO", "olga"), ("UD", "dan")):
        assert (
            f"Your manager is <@{manager}>"
            in slack.command(f"manager <@{manager}|{name}>", user="UA").json()["text"]
        )
        assert manager_of(services, T1, "UA") == manager
    slack.action(DECLINE, f"{ana.id}:{WEEK}", user="UD")
    wait_until(lambda: manager_of(services, T1, "UA") is None, what="dan's decline")
    assert "Your manager is <@UM>" in slack.command("manager <@UM|mia>", user="UA").json()["text"]
    shared = log(services, ana, SHARED)
    private = log(services, ana, PRIVATE, private=True)
    log(
        services,
        add_member(services, "UB", slack=fake_slack, team=T1, name="bo", manager_user_id="UM"),
        "bo's win",
    )
    log(services, others["UX"], "xavi's win")
    # The other workspace: the same user ids, its own data.
    with services.sessions.begin() as session:
        joined = NOW - timedelta(hours=1)
        t2_ana = save_member(session, T2, "UA", tz="UTC", display_name="other ana", now=joined)
        save_member(session, T2, "UM", tz="UTC", display_name="other mia", now=joined)
        session.execute(update(Member).where(Member.id == t2_ana.id).values(manager_user_id="UM"))
    log(services, t2_ana, T2_WIN)

    def named() -> list[Any]:
        return [m for m in fake_slack.messages if "named you as their manager" in json.dumps(m.blocks)]

    wait_until(lambda: len(named()) == 3, what="the named managers' notices")
    probe = slack_for(app_url, fake_slack, T2).command("list", user="UA")
    fake_slack.clear()
    return World(services, fake_slack, app_url, database_url, tmp_path, ana, shared, private, refused(probe))


def slack_for(app_url: str, fake: FakeSlack, team: str) -> SlackRequests:
    return SlackRequests(f"{app_url}/slack/events", SIGNING_SECRET, fake, team=team)


def refused(reply: Reply) -> bool:
    """Whether the app turned a request away as from a workspace it doesn't serve (single-workspace mode
    refuses a foreign team id: Bolt's "install this app" answer, or an HTTP error), rather than answering it
    from that workspace's own rows; the `other_workspace` cells hold either way."""
    return reply.status != 200 or "install" in reply.body.decode("utf-8", "replace").lower()


def assert_refused_and_nothing_leaked(w: World, column: str) -> None:
    """`other_workspace` where the app refuses foreign teams: the request is turned away, and nothing of
    T1's reaches Slack (rows' isolation by workspace is also tested in tests/storage/test_privacy.py)."""
    team, user = w.actor("other_workspace", column)
    slack = w.requests(team)
    if column in ("details", "edit_delete"):
        action = DETAILS if column == "details" else "win_edit"
        value = f"{w.ana.id}:{WEEK}" if column == "details" else str(w.shared_id)
        before = len(w.fake.calls)
        reply = slack.action(action, value, user=user)
        # A button's ack is an empty 200 whether it is refused or served, so what the cell checks is that
        # no call to Slack follows once the work after the ack is done: no modal, no message, nothing of
        # T1's. The refusal itself is tests/installs/test_single_workspace.py's.
        assert reply.status == 200 and reply.body == b""
        after_ack_done(w.services)
        assert len(w.fake.calls) == before, w.fake.calls[before:]
    else:
        reply = slack.command("export" if column == "export" else "list", user=user)
        assert refused(reply)
    sent = everything_sent(w.fake)
    assert SHARED not in sent and PRIVATE not in sent and NAME not in sent


# -- what one actor gets -----------------------------------------------------------------------------------


def everything_sent(fake: FakeSlack) -> str:
    """Every call the fake answered, every response_url answer and every uploaded file, as one text."""
    parts = [json.dumps(c.params, ensure_ascii=False, default=str) for c in fake.calls]
    parts += [json.dumps(p, ensure_ascii=False) for _url, p in fake.responses]
    parts += [data.decode("utf-8", "replace") for data in fake.uploads.values()]
    return "\n".join(parts)


def listed(w: World, team: str, user: str) -> str:
    return json.dumps(w.requests(team).command("list", user=user).json(), ensure_ascii=False)


def home_of(w: World, team: str, user: str) -> str:
    before = len([c for c in w.fake.calls_to("views.publish") if c.params["user_id"] == user])
    w.requests(team).event(
        {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
    )
    published = wait_until(
        lambda: [c for c in w.fake.calls_to("views.publish") if c.params["user_id"] == user][before:],
        what="the Home",
    )
    return json.dumps(published[0].params["view"], ensure_ascii=False)


def press(w: World, team: str, user: str, action_id: str, value: str) -> str:
    """A button press with its own response_url; returns that URL."""
    url = w.fake.new_response_url()
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": w.fake.issue_trigger(),
        "response_url": url,
        "container": {"type": "message", "is_ephemeral": True},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }
    assert w.requests(team).post(urlencode({"payload": json.dumps(payload)}).encode(), FORM).status == 200
    return url


def answered(w: World, url: str) -> str:
    found = wait_until(lambda: [p for at, p in w.fake.responses if at == url], what="the answer")
    return json.dumps(found, ensure_ascii=False)


def details(w: World, team: str, user: str) -> str:
    """Details of ana's week: the modal's text, or the refusal."""
    before = len(w.fake.calls_to("views.open"))
    url = press(w, team, user, DETAILS, f"{w.ana.id}:{WEEK}")

    def outcome() -> str | None:
        opened = w.fake.calls_to("views.open")[before:]
        if opened:
            return json.dumps(opened[0].params["view"], ensure_ascii=False)
        return next((json.dumps(p) for at, p in w.fake.responses if at == url), None)

    return wait_until(outcome, what="Details or its refusal")


def exported(w: World, team: str, user: str) -> dict[str, Any]:
    """`/remote-win export`: the JSON uploaded to the presser's DM."""
    w.requests(team).command("export", user=user)

    def found() -> bytes | None:
        dm = [m for m in w.fake.messages if m.channel == "D" + user[1:]]
        intros = [m for m in dm if "evidence pack" in json.dumps(m.blocks)]
        files = files_in(w.fake, intros[0].ts) if intros else {}
        return next((data for name, data in files.items() if name.endswith(".json")), None)

    return json.loads(wait_until(found, what="the JSON export"))


def digest_of(w: World, team: str, user: str, kind: str = DIGEST) -> str:
    """What the clock sends this member this week as a manager (or, with RECAP, as a report)."""
    with w.services.sessions.begin() as session:
        member_id = session.scalar(select(Member.id).filter_by(workspace_id=team, user_id=user))
        parcel = weekly_parcel(session, member_id, kind, WEEK, NOW, NOW)
    if parcel is None:
        return ""
    for message in parcel.messages[:1]:
        w.services.client.chat_postMessage(channel=user, **message)
    return json.dumps([m.blocks for m in w.fake.messages if m.channel == "D" + user[1:]], ensure_ascii=False)


def ana_wins(w: World) -> list[tuple[str, bool]]:
    with w.services.sessions() as session:
        query = select(Win.text, Win.private).where(Win.member_id == w.ana.id).order_by(Win.id)
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def try_to_change(w: World, team: str, user: str) -> list[str]:
    """Every way a request names a win: the Edit and Undo buttons, `delete N`, and the edit modal's
    private_metadata, each carrying ana's win ids; the answers."""
    answers = []
    for win_id in (w.shared_id, w.private_id):
        before = len(w.fake.calls_to("views.open"))
        answers.append(answered(w, press(w, team, user, "win_edit", str(win_id))))
        assert w.fake.calls_to("views.open")[before:] == []
        answers.append(answered(w, press(w, team, user, "win_undo", str(win_id))))
        answers.append(json.dumps(w.requests(team).command(f"delete {win_id}", user=user).json()))
        view = {"private_metadata": json.dumps({"win_id": win_id})}
        reply = w.requests(team).submit_view(view, form_values("taken over"), user=user)
        answers.append(reply.body.decode())
    return answers


# -- the columns -------------------------------------------------------------------------------------------


def own_wins(w: World, row: str) -> None:
    if row == "operator":  # the operator reads any member's shared wins: the evidence pack's CSV
        out = w.cli("export", "--user", "UA", "--workspace", T1, "--format", "csv", "--at", NOW.isoformat())
        assert SHARED in out and PRIVATE not in out
        return
    team, user = w.actor(row, "own_wins")
    shown = listed(w, team, user)
    assert (SHARED in shown) == (row == "member")
    if row == "other_workspace":
        assert T2_WIN in shown


def private_wins(w: World, row: str) -> None:
    if row == "operator":  # the database's whole record of a member: private wins included
        out = w.cli("member", "export", "--user", "UA", "--team", T1)
        assert PRIVATE in out
        return
    team, user = w.actor(row, "private_wins")
    if row == "member":
        assert PRIVATE in listed(w, team, user)
        return
    # Everything this actor can ask for, and the digest they would get: the private win is in none of it.
    listed(w, team, user)
    home_of(w, team, user)
    details(w, team, user)
    exported(w, team, user)
    digest_of(w, *w.actor(row, "digests"))
    assert PRIVATE not in everything_sent(w.fake)


def digests(w: World, row: str) -> None:
    if row == "operator":  # what the manager would be sent, without sending it
        at = NOW.isoformat()
        out = w.cli("digest", "preview", "--manager", "UM", "--workspace", T1, "--json", "--at", at)
        assert SHARED in out and PRIVATE not in out
        return
    team, user = w.actor(row, "digests")
    if row == "member":  # her recap: her week as her manager will see it
        shown = digest_of(w, team, user, RECAP)
        assert SHARED in shown and PRIVATE not in shown
        return
    shown = digest_of(w, team, user)
    assert (SHARED in shown) == (row == "manager") and PRIVATE not in shown
    if row == "other_workspace":
        assert T2_WIN in shown


def details_cell(w: World, row: str) -> None:
    if row == "operator":  # the preview's text shows every shared win whole, as Details does
        out = w.cli("digest", "preview", "--manager", "UM", "--workspace", T1, "--at", NOW.isoformat())
        assert SHARED in out and PRIVATE not in out
        return
    team, user = w.actor(row, "details")
    shown = details(w, team, user)
    if row in ("member", "manager"):
        assert SHARED in shown and PRIVATE not in shown
    else:
        assert NOT_YOURS in shown and SHARED not in shown


def export(w: World, row: str) -> None:
    if row == "operator":
        mine = json.loads(w.cli("member", "export", "--user", "UA", "--team", T1))
        theirs = json.loads(w.cli("member", "export", "--user", "UA", "--team", T2))
        assert {x["text"] for x in mine["tables"]["wins"]} == {SHARED, PRIVATE}
        assert [x["text"] for x in theirs["tables"]["wins"]] == [T2_WIN]
        return
    team, user = w.actor(row, "export")
    data = exported(w, team, user)
    texts = {x["text"] for x in data["tables"]["wins"]}
    assert (data["workspace_id"], data["user_id"]) == (team, user)
    if row == "member":
        assert texts == {SHARED, PRIVATE}
    else:
        assert not texts & {SHARED, PRIVATE}
        assert all(r.get("member_id") != w.ana.id for rows in data["tables"].values() for r in rows)
    if row == "other_workspace":
        assert texts == {T2_WIN}


def edit_delete(w: World, row: str) -> None:
    before = ana_wins(w)
    if row == "operator":  # the operator's only change: erasing a member, in one workspace
        w.cli("member", "forget", "--user", "UA", "--team", T1)
        assert ana_wins(w) == []
        theirs = json.loads(w.cli("member", "export", "--user", "UA", "--team", T2))
        assert [x["text"] for x in theirs["tables"]["wins"]] == [T2_WIN]
        return
    team, user = w.actor(row, "edit_delete")
    if row == "member":
        url = press(w, team, user, "win_edit", str(w.shared_id))
        opened = wait_until(lambda: w.fake.calls_to("views.open"), what="the edit form")
        assert SHARED in json.dumps(opened[0].params["view"]) and url
        view = {"private_metadata": json.dumps({"win_id": w.shared_id})}
        values = form_values("ana edited", local_date=TUE.isoformat())
        assert w.requests(team).submit_view(view, values, user=user).status == 200
        w.requests(team).command(f"delete {w.private_id}", user=user)
        assert ana_wins(w) == [("ana edited", False)]
        return
    answers = try_to_change(w, team, user)
    assert ana_wins(w) == before
    assert all(SHARED not in a and PRIVATE not in a for a in answers)


def home(w: World, row: str) -> None:
    if row == "operator":  # the operator has no Home: the command line publishes nothing to Slack
        w.cli("member", "export", "--user", "UA", "--team", T1)
        assert w.fake.calls_to("views.publish") == []
        return
    team, user = w.actor(row, "home")
    shown = home_of(w, team, user)
    assert (SHARED in shown) == (row == "member") and (PRIVATE in shown) == (row == "member")
    assert (NAME in shown) == (row == "manager")  # a manager's Home names their reports
    if row == "other_workspace":
        assert T2_WIN in shown


CHECKS: dict[str, Callable[[World, str], None]] = {
    "own_wins": own_wins,
    "private_wins": private_wins,
    "digests": digests,
    "details": details_cell,
    "export": export,
    "edit_delete": edit_delete,
    "home": home,
}


@pytest.mark.parametrize(("row", "column"), [(r, c) for r in ROWS for c in COLUMNS], ids=lambda v: v)
def test_access(world: World, row: str, column: str) -> None:
    if row == "other_workspace" and world.foreign_refused and column != "digests":
        assert_refused_and_nothing_leaked(world, column)  # the digest's cell is the query's, served or not
        return
    CHECKS[column](world, row)


def test_the_matrix_document_has_every_row_and_column() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "ACCESS.md").read_text()
    for name in ROWS + COLUMNS:
        assert f"`{name}`" in text, name
