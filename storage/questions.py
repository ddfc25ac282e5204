"""Questions a manager asks a report from the digest ("Ask a question") and the report's answers: when
each was asked and first answered, which is what the trial's reachability figures count (rules/trial.py).

A question is recorded in the transaction that records its request (storage/replays.py), so a form sent
twice asks once; one that Slack would not deliver is withdrawn, since it never reached the member. Only
the member asked can answer; the first answer's moment is kept, later ones are passed on all the same.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from rules.questions import SavedQuestion
from storage.models import Member, Question


def ask(
    session: Session, workspace_id: str, member_id: int, asker: str, week: str, text: str, now: datetime
) -> int:
    """Record the question as asked `now`; its id."""
    row = Question(
        workspace_id=workspace_id,
        member_id=member_id,
        asker_user_id=asker,
        week=week,
        text=text,
        asked_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def withdraw(session: Session, question_id: int) -> None:
    """Slack didn't deliver it: it was never asked."""
    session.execute(delete(Question).where(Question.id == question_id))


def question(session: Session, question_id: int) -> SavedQuestion | None:
    row = session.execute(
        select(Question, Member.user_id)
        .join(Member, Member.id == Question.member_id)
        .where(Question.id == question_id)
    ).first()
    if row is None:
        return None
    q, user_id = row
    return SavedQuestion(
        q.id, q.workspace_id, q.member_id, user_id, q.asker_user_id, q.week, q.text, q.asked_at, q.answered_at
    )


def answer(session: Session, question_id: int, member_id: int, now: datetime) -> SavedQuestion | None:
    """The member's answer: its moment is kept if it is the first (compare-and-set). None when the question
    is gone or was asked to someone else."""
    found = question(session, question_id)
    if found is None or found.member_id != member_id:
        return None
    session.execute(
        update(Question)
        .where(Question.id == question_id, Question.answered_at.is_(None))
        .values(answered_at=now)
    )
    return question(session, question_id)


def asked_between(
    session: Session, member_id: int, first: datetime, last: datetime
) -> list[tuple[datetime, datetime | None]]:
    """(asked, answered) of the questions asked to the member from `first` to `last` (UTC instants),
    through the (member, asked_at) index."""
    rows = session.execute(
        select(Question.asked_at, Question.answered_at)
        .where(Question.member_id == member_id, Question.asked_at.between(first, last))
        .order_by(Question.asked_at)
    )
    return [(asked, answered) for asked, answered in rows]
