"""How reachable the member was: the manager's questions (the digest's "Ask a question") and the member's
answers (the question's Answer button), counted in the check-in and the evidence pack.

Questions are asked and answered through signed requests under a frozen clock; the figures are computed
again here from the raw `questions` rows, minute by minute in Ana's zone, independently of rules/trial.py.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.evidence import gather, markdown_page
from bot.services import Services
from rules.digest import iso_week
from storage.models import Question
from tests.bot.test_digest_buttons import ask_values
from tests.bot.test_plans import element, press
from tests.fake_slack import FakeSlack, Message
from tests.jobs.test_trial_edges import dms, titled
from tests.jobs.test_trial_simulation import BERLIN, Simulation, at
from tests.support import SlackRequests, after_ack_done, visible_text, wait_until

MON = date(2026, 3, 2)  # the trial's first day; Ana is remote Tue-Thu, in the office Mon and Fri
HOURS = (time(9, 0), time(18, 0))  # `trial start` promises the member's working hours
COVERED = (MON, MON + timedelta(days=9))  # check-in 10: 2 - 11 March


@pytest.fixture
def sim(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Simulation:
    simulation = Simulation(services, slack, fake_slack)
    simulation.setup()
    simulation.decisions = {}
    fake_slack.add_user("UX", tz="UTC", name="stranger")
    return simulation


def opened(fake: FakeSlack, before: int) -> dict[str, Any]:
    return wait_until(lambda: fake.calls_to("views.open")[before:], what="a modal")[0].params["view"]


def ask(sim: Simulation, when: datetime, text: str) -> Message:
    """Mia presses Ask a question on Ana's week and sends `text`; the question as it reaches Ana."""
    sim.clock.now = when
    week = iso_week(when.astimezone(BERLIN).date())
    before = len(sim.fake.calls_to("views.open"))
    sim.slack.action("digest_ask", f"{sim.member.id}:{week}", user="UM")
    view = opened(sim.fake, before)
    reply = sim.slack.submit_view(view | {"id": f"VQ-{text}"}, ask_values(text), user="UM")
    assert reply.body == b""
    shown = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return wait_until(lambda: [m for m in dms(sim.fake, "UA") if shown in visible_text(m)], what=text)[0]


def answers_to_mia(sim: Simulation) -> list[Message]:
    return [m for m in dms(sim.fake, "UM") if "answered your question" in (m.text or "")]


def answer(sim: Simulation, question: Message, when: datetime, text: str, user: str = "UA") -> Any:
    sim.clock.now = when
    before = len(sim.fake.calls_to("views.open"))
    press(sim.slack, question, element(question, "question_answer"), user=user)
    view = opened(sim.fake, before)
    values = {"answer": {"value": {"type": "plain_text_input", "value": text}}}
    return view, sim.slack.submit_view(view | {"id": f"VA-{text}"}, values, user=user)


# -- the figures, from the raw rows ---------------------------------------------------------------------


def working(minute: datetime) -> bool:
    local = minute.astimezone(BERLIN)
    return local.weekday() < 5 and HOURS[0] <= local.time() < HOURS[1]


def promised_minutes(asked: datetime, answered: datetime) -> int:
    minutes, step = 0, asked
    while step < answered:
        minutes += working(step)
        step += timedelta(minutes=1)
    return minutes


def deadline(asked: datetime) -> datetime:
    day = asked.astimezone(BERLIN).date()
    while True:
        end = datetime.combine(day, HOURS[1], tzinfo=BERLIN)
        if day.weekday() < 5 and end > asked:
            return end
        day += timedelta(days=1)


def pct(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part / whole:.0%})"


def expected_line(rows: list[tuple[datetime, datetime | None]]) -> str:
    asked = [(a, b) for a, b in rows if COVERED[0] <= a.astimezone(BERLIN).date() <= COVERED[1]]
    answered = [(a, b) for a, b in asked if b is not None]
    fast = [(a, b) for a, b in answered if b <= deadline(a)]
    median = statistics.median(promised_minutes(a, b) for a, b in answered)
    sides = []
    for kind, weekdays in (("remote", (1, 2, 3)), ("office", (0, 4))):
        mine = [(a, b) for a, b in asked if a.astimezone(BERLIN).weekday() in weekdays]
        quick = [q for q in mine if q in fast]
        sides.append(f"{kind} days {pct(len(quick), len(mine))} within hours")
    return (
        f"{pct(len(answered), len(asked))} questions answered; {pct(len(fast), len(asked))} within the "
        f"promised 09:00–18:00 of the day asked; median {int(median) // 60}h{int(median) % 60:02d} of "
        f"promised time to answer ({len(answered)} answers); of those asked on " + ", on ".join(sides)
    )


def test_questions_asked_and_answered_are_counted_in_the_check_in_and_the_pack(
    sim: Simulation, services: Services, fake_slack: FakeSlack
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 30 days checkins 10")
    sim.react = lambda now: None

    q1 = ask(sim, at(date(2026, 3, 3), 10), "Tue morning: how is the <migration> & co?")
    answer(sim, q1, at(date(2026, 3, 3), 10, 30), "On track")
    q2 = ask(sim, at(date(2026, 3, 3), 19), "Tue evening: can you review?")  # after hours: Wed counts
    answer(sim, q2, at(date(2026, 3, 4), 9, 20), "Reviewed")
    ask(sim, at(date(2026, 3, 5), 15), "Thu: never answered")
    q4 = ask(sim, at(date(2026, 3, 6), 17), "Fri late: numbers?")  # answered on Monday: late
    answer(sim, q4, at(date(2026, 3, 9), 10), "Here they are")
    q5 = ask(sim, at(date(2026, 3, 7), 12), "Saturday: no rush")  # a day off: Monday counts
    answer(sim, q5, at(date(2026, 3, 9), 9, 45), "Done")
    q6 = ask(sim, at(date(2026, 3, 9), 11), "Mon: lunch?")
    answer(sim, q6, at(date(2026, 3, 9), 16), "Sure")
    ask(sim, at(date(2026, 3, 12), 8, 30), "Thu 12th: after the covered days")
    wait_until(  # every DM sent after the acks above has gone, so the failure below hits the right one
        lambda: (
            len(titled(fake_slack, "UM", "Your question reached")) == 7
            and len(answers_to_mia(sim)) == 5
            and len(titled(fake_slack, "UA", "Your answer reached")) == 5
        ),
        what="the earlier DMs",
    )
    after_ack_done(services)  # and the notices (paced, so later than the DMs above) have gone too
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")  # never reaches Ana: not asked
    sim.clock.now = at(date(2026, 3, 10), 11)
    before = len(fake_slack.calls_to("views.open"))
    sim.slack.action("digest_ask", f"{sim.member.id}:2026-W11", user="UM")
    view = opened(fake_slack, before)
    sim.slack.submit_view(view | {"id": "VQ-lost"}, ask_values("Lost on the way"), user="UM")
    wait_until(lambda: titled(fake_slack, "UM", "didn't deliver your question"), what="Mia told")
    wait_until(lambda: len(answers_to_mia(sim)) == 5, what="five answers reach Mia")

    with services.sessions() as session:
        rows = [tuple(r) for r in session.execute(select(Question.asked_at, Question.answered_at))]
    assert len(rows) == 7  # the undelivered question was withdrawn
    line = expected_line(rows)
    assert line == (
        "5 of 6 (83%) questions answered; 4 of 6 (67%) within the promised 09:00–18:00 of the day asked; "
        "median 0h45 of promised time to answer (5 answers); of those asked on remote days 2 of 3 (67%) "
        "within hours, on office days 1 of 2 (50%) within hours"
    )  # and the same by hand: 30, 20, 120, 45 and 300 minutes; Friday's was answered after its day

    sim.run_until(at(date(2026, 3, 12), 12))
    (checkin,) = titled(fake_slack, "UA", "Check-in after day 10 of 30")
    assert f"*Questions:* {line}" in visible_text(checkin)
    with services.sessions() as session:
        page = markdown_page(gather(session, sim.member.id, COVERED[0], COVERED[1], sim.clock.now))
    assert f"- **Questions:** {line}" in page

    # Mia reads each answer once, under her question, escaped.
    shown = "\n".join(visible_text(m) for m in answers_to_mia(sim))
    assert "Tue morning: how is the &lt;migration&gt; &amp; co?" in shown and "<migration>" not in shown


def test_only_the_member_asked_answers_once_and_the_first_answer_counts(
    sim: Simulation, services: Services, fake_slack: FakeSlack
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 30 days checkins 10")
    question = ask(sim, at(date(2026, 3, 3), 10), "Status?")
    assert "Reply to them directly" not in visible_text(question)

    sim.clock.now = at(date(2026, 3, 3), 10, 5)
    press(sim.slack, question, element(question, "question_answer"), user="UX")
    wait_until(lambda: dms(fake_slack, "UX"), what="the stranger told")
    assert "Only the person this question was asked to" in visible_text(dms(fake_slack, "UX")[0])

    empty_view, _ = answer(sim, question, at(date(2026, 3, 3), 10, 10), "first")
    wait_until(lambda: len(answers_to_mia(sim)) == 1, what="the answer")
    again = sim.slack.submit_view(
        empty_view | {"id": "VA-first"},
        {"answer": {"value": {"type": "plain_text_input", "value": "first"}}},
        user="UA",
    )  # Slack's retry of the same form
    assert again.body == b""
    blank = sim.slack.submit_view(
        empty_view | {"id": "VA-blank"},
        {"answer": {"value": {"type": "plain_text_input", "value": "  "}}},
        user="UA",
    )
    assert blank.json()["errors"] == {"answer": "Write your answer; it goes to them."}
    view, _ = answer(sim, question, at(date(2026, 3, 3), 15), "second thoughts")
    assert "You answered on Tue 3 Mar 10:10" in str(view["blocks"])
    wait_until(lambda: len(answers_to_mia(sim)) == 2, what="the second answer")
    assert len(answers_to_mia(sim)) == 2  # the retried form passed nothing on again
    with services.sessions() as session:
        answered = session.scalar(select(Question.answered_at))
    assert answered == at(date(2026, 3, 3), 10, 10).astimezone(UTC)


def test_a_question_from_a_manager_who_erased_their_data_is_answered_and_kept_but_not_sent(
    sim: Simulation, services: Services, fake_slack: FakeSlack
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 30 days checkins 10")
    question = ask(sim, at(date(2026, 3, 3), 10), "Status?")
    with services.sessions.begin() as session:  # as storage.privacy.forget leaves it when Mia erases hers
        session.execute(update(Question).values(asker_user_id=None))
    view, reply = answer(sim, question, at(date(2026, 3, 3), 10, 10), "all good")
    assert reply.body == b""
    assert "Your former manager asked on Tue 3 Mar 10:00" in str(view["blocks"])
    told = wait_until(
        lambda: [m for m in dms(fake_slack, "UA") if "recorded but not sent" in visible_text(m)],
        what="Ana told",
    )
    assert len(told) == 1 and not answers_to_mia(sim)
    with services.sessions() as session:
        assert session.scalar(select(Question.answered_at)) == at(date(2026, 3, 3), 10, 10).astimezone(UTC)
