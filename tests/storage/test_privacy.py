"""A member's data as a whole, on SQLite and PostgreSQL: the export holds every row of theirs, and forgetting
them leaves no row anywhere that refers to them, found from the models' metadata (so a table added later is
checked too), while the same user id in another workspace keeps everything."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from bot.services import Services
from rules.wins import WinDraft
from storage import ledger
from storage.members import MemberRef, save_member
from storage.models import (
    Base,
    DayOverride,
    DigestAck,
    DigestRun,
    FormOrigin,
    Member,
    Metric,
    MetricValue,
    Plan,
    Question,
    Trial,
    TrialCheckin,
    Win,
)
from storage.privacy import (
    HIDDEN,
    count_rows,
    decline_report,
    export_member,
    find_member_id,
    forget,
    owned_condition,
    owned_tables,
)
from storage.schedules import reschedule
from storage.wins import add_win

T1, T2 = "T0001", "T0002"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
DAY = date(2026, 11, 24)


def populate(session: Session, team: str, user: str, tag: str, manager: str | None = None) -> MemberRef:
    """A member with a row in every table that can hold a member's data."""
    member = save_member(
        session, team, user, tz="Europe/Berlin", display_name=tag, now=NOW - timedelta(days=30)
    )
    session.execute(
        update(Member)
        .where(Member.id == member.id)
        .values(remote_days=0b0011110, manager_user_id=manager, share_to="manager" if manager else "self")
    )
    reschedule(session, member.id, NOW)
    shared = add_win(
        session, member, WinDraft(f"{tag} shipped", DAY), source="command", source_ref=None, now=NOW
    )
    add_win(
        session,
        member,
        WinDraft(f"{tag} secret", DAY, private=True),
        source="command",
        source_ref=None,
        now=NOW,
    )
    session.add(DayOverride(member_id=member.id, local_date=DAY, kind="remote"))
    session.add(
        Plan(
            member_id=member.id,
            local_date=DAY,
            status="summarized",
            items=[f"{tag} plan item"],
            done=[0],
            blockers="none",
            signed_off="17:05",
            item_wins=[[0, shared.id]],
            created_at=NOW,
            updated_at=NOW,
        )
    )
    metric = Metric(
        member_id=member.id, name="tickets", key="tickets", unit="count", direction="higher", created_at=NOW
    )
    session.add(metric)
    session.flush()
    session.add(
        MetricValue(
            member_id=member.id,
            metric_id=metric.id,
            local_date=DAY,
            value=4,
            day_kind="remote",
            created_at=NOW,
        )
    )
    trial = Trial(
        workspace_id=team,
        member_id=member.id,
        start_date=DAY,
        length_days=30,
        checkin_days=[30],
        manager_user_id=manager,
        created_at=NOW,
    )
    session.add(trial)
    session.flush()
    session.add(
        TrialCheckin(
            trial_id=trial.id,
            day=30,
            final=True,
            local_date=DAY + timedelta(days=30),
            due_at=NOW + timedelta(days=30),
            manager_user_id=manager,
            decision="continue",
            note=f"{tag} went well",
        )
    )
    key = ledger.DeliveryKey(team, member.id, "morning", DAY.isoformat())
    delivery = ledger.claim(session, key, due_at=NOW, now=NOW, worker="test")
    assert delivery is not None
    ledger.finish(session, delivery, status="sent", now=NOW, channel="D" + user[1:], ts="1.1")
    session.add(
        DigestRun(workspace_id=team, manager_member_id=member.id, week="2026-W48", floor=NOW, built_at=NOW)
    )
    session.add(
        DigestAck(workspace_id=team, manager_member_id=member.id, week="2026-W48", acknowledged_at=NOW)
    )
    session.add(  # asked by their manager: erasing the manager keeps the question, without the asker
        Question(
            workspace_id=team,
            member_id=member.id,
            asker_user_id=manager or "UNOBODY",
            week="2026-W48",
            text=f"how did {tag}'s week go?",
            asked_at=NOW,
            answered_at=NOW,
        )
    )
    session.add(
        FormOrigin(
            ref=uuid4().hex,
            workspace_id=team,
            user_id=user,
            response_url="https://hooks.slack.com/x",
            created_at=NOW,
        )
    )
    session.flush()
    return member


@pytest.fixture
def people(services: Services) -> Iterator[dict[str, MemberRef]]:
    """In T1: UF (to be forgotten) names UM; UR names UF, proposed a trial to UF, has a win in UF's digest.
    In T2: another UF, with the same user id and data of its own, and a UR who names that UF."""
    with services.sessions.begin() as session:
        found = {
            "boss": populate(session, T1, "UM", "boss"),
            "forgotten": populate(session, T1, "UF", "forgotten", manager="UM"),
            "report": populate(session, T1, "UR", "report", manager="UF"),
            "twin": populate(session, T2, "UF", "twin"),
            "twin_report": populate(session, T2, "UR", "twin report", manager="UF"),
        }
        digest = session.scalar(select(DigestRun.id).filter_by(manager_member_id=found["forgotten"].id))
        session.execute(update(Win).where(Win.member_id == found["report"].id).values(digest_id=digest))
    yield found


def as_json(row: Any, table: Table) -> dict[str, Any]:
    """A database row as the export writes it: every column but internal state, instants as ISO 8601."""
    hidden = HIDDEN.get(table.name, ())
    plain = {k: v for k, v in dict(row).items() if k not in hidden}
    return json.loads(json.dumps(plain, default=lambda value: value.isoformat()))


def all_rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    return {
        t.name: [dict(r) for r in session.execute(select(t)).mappings()] for t in Base.metadata.sorted_tables
    }


def workspace_of(table: Table) -> Callable[[Session, Any], str | None] | None:
    """How to find a row's workspace from the metadata: its own column, or its parent's through a foreign
    key (a plan's member, a check-in's trial)."""
    if table.name == "workspaces":
        return lambda session, row: row["id"]
    if "workspace_id" in table.columns:
        return lambda session, row: row["workspace_id"]
    if "team_id" in table.columns:  # slack_sdk's installation store
        return lambda session, row: row["team_id"]
    if table.name == "slack_oauth_states":  # an install under way: no workspace yet
        return lambda session, row: None
    for fk in table.foreign_keys:
        parent_of = workspace_of(fk.column.table)
        if parent_of is not None:
            parent, column, target = fk.column.table, fk.parent.name, fk.column

            def through(
                session: Session,
                row: Any,
                parent: Table = parent,
                column: str = column,
                target: Any = target,
                parent_of: Any = parent_of,
            ) -> str | None:
                found = session.execute(select(parent).where(target == row[column])).mappings().first()
                return parent_of(session, found) if found else None

            return through
    return None


def rows_referring(
    session: Session, team: str, member_id: int, user_id: str
) -> list[tuple[str, dict[str, Any]]]:
    """Every row of `team` in any table that refers to the member: a foreign key to their member row, or a
    string column holding their Slack user id."""
    found = []
    for table in Base.metadata.sorted_tables:
        owner = workspace_of(table)
        assert owner is not None, f"{table.name}: no way to tell its workspace"
        for row in session.execute(select(table)).mappings():
            if owner(session, row) != team:
                continue
            for column in table.columns:
                value = row[column.name]
                to_members = any(fk.column.table.name == "members" for fk in column.foreign_keys)
                if (to_members and value == member_id) or (isinstance(value, str) and value == user_id):
                    found.append((table.name, dict(row)))
                    break
    return found


def test_every_foreign_key_to_a_member_cascades_so_their_rows_are_known() -> None:
    """A table holding a member's rows must say so with ON DELETE CASCADE: that is how the export and the
    erasure find it (a SET NULL key is another member's row pointing at theirs, like a win in a digest)."""
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "members":
                assert fk.ondelete == "CASCADE", f"{table.name}.{fk.parent.name}"
    assert {"wins", "plans", "deliveries", "trial_checkins", "metric_values", "digests"} <= {
        t.name for t in owned_tables()
    }


def test_the_export_holds_every_row_of_the_member_and_nothing_of_anyone_else(
    services: Services, people: dict[str, MemberRef]
) -> None:
    member = people["forgotten"]
    with services.sessions() as session:
        exported = json.loads(json.dumps(export_member(session, member.id, NOW)))
        for table in owned_tables():
            rows = session.execute(select(table).where(owned_condition(table, member.id))).mappings().all()
            assert rows, f"the fixture has no {table.name} row for the member: add one"
            got = [exported["member"]] if table.name == "members" else exported["tables"][table.name]
            expected = [as_json(r, table) for r in rows]
            assert sorted(got, key=json.dumps) == sorted(expected, key=json.dumps), table.name
        everything = all_rows(session)
    assert exported["workspace_id"] == T1 and exported["user_id"] == "UF"
    assert "forget_token" not in exported["member"]
    text = json.dumps(exported)
    assert "forgotten secret" in text and "forgotten plan item" in text and "forgotten went well" in text
    assert "twin" not in text and "report shipped" not in text and "boss" not in text
    # Every row of any table with a foreign key to the member's row is in it (nothing is missed).
    for name, rows in everything.items():
        table = Base.metadata.tables[name]
        for column in table.columns:
            if any(fk.column.table.name == "members" for fk in column.foreign_keys):
                mine = [r for r in rows if r[column.name] == member.id]
                assert len(mine) == len(exported["tables"].get(name, [])) or name == "members", name


def test_forgetting_leaves_no_row_that_refers_to_the_member_and_the_other_workspace_untouched(
    services: Services, people: dict[str, MemberRef]
) -> None:
    member = people["forgotten"]
    with services.sessions() as session:
        before = all_rows(session)
        assert rows_referring(session, T1, member.id, "UF")  # the check can see them
        counts = count_rows(session, member.id)
    with services.sessions.begin() as session:
        forgotten = forget(session, T1, "UF", NOW)
    assert forgotten is not None
    assert forgotten.deleted == counts and forgotten.reports == [(people["report"].id, "UR")]
    with services.sessions() as session:
        assert rows_referring(session, T1, member.id, "UF") == []
        assert find_member_id(session, T1, "UF") is None
        after = all_rows(session)
        # The report keeps their own rows; their link to the forgotten manager is gone.
        report = session.get(Member, people["report"].id)
        assert report is not None and report.manager_user_id is None and report.share_to == "self"
        assert session.scalar(select(func.count()).select_from(Win).where(Win.member_id == report.id)) == 2
        assert session.scalar(select(Win.digest_id).where(Win.member_id == report.id).limit(1)) is None
    # T2's UF and everyone else's rows in T2 are exactly as before.
    for name, rows in before.items():
        table = Base.metadata.tables[name]
        owner = workspace_of(table)
        with services.sessions() as session:
            theirs = [r for r in rows if owner is not None and owner(session, r) == T2]
        assert all(r in after[name] for r in theirs), name
    with services.sessions() as session:
        assert find_member_id(session, T2, "UF") == people["twin"].id
        twin_report = session.get(Member, people["twin_report"].id)
        assert twin_report is not None and twin_report.manager_user_id == "UF"
    with services.sessions.begin() as session:
        assert forget(session, T1, "UF", NOW) is None  # a second time finds nothing


def test_forgetting_needs_the_pending_token_when_given_one(
    services: Services, people: dict[str, MemberRef]
) -> None:
    from storage.privacy import ask_to_forget, cancel_forget

    with services.sessions.begin() as session:
        token = ask_to_forget(session, people["forgotten"].id)
        newer = ask_to_forget(session, people["forgotten"].id)
    with services.sessions.begin() as session:
        assert forget(session, T1, "UF", NOW, token=token) is None  # replaced by a newer confirmation
        assert forget(session, T2, "UF", NOW, token=newer) is None  # another workspace's UF: not theirs
        assert cancel_forget(session, T1, "UF", newer)
        assert forget(session, T1, "UF", NOW, token=newer) is None  # cancelled
        assert find_member_id(session, T1, "UF") is not None


def test_declining_clears_only_a_link_that_names_the_decliner(
    services: Services, people: dict[str, MemberRef]
) -> None:
    with services.sessions.begin() as session:
        assert decline_report(session, T1, "UM", people["report"].id, NOW) is None  # UR names UF, not UM
        assert decline_report(session, T1, "UF", people["twin_report"].id, NOW) is None  # T2's report
        assert decline_report(session, T1, "UF", people["report"].id, NOW) == "UR"
        assert decline_report(session, T1, "UF", people["report"].id, NOW) is None  # once
    with services.sessions() as session:
        assert session.get(Member, people["report"].id).manager_user_id is None  # type: ignore[union-attr]
        assert session.get(Member, people["twin_report"].id).manager_user_id == "UF"  # type: ignore[union-attr]
