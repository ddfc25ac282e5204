"""A member's metrics through signed requests: `/remote-win metric …`, a DM, and the win modal's list."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.services import Services
from storage.models import Metric, MetricValue, Win
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, form_values, open_win_form, wait_until

WED = datetime(2026, 3, 11, 11, 0, tzinfo=UTC)  # Wednesday 12:00 in Berlin (U1's zone)


def answer(slack: SlackRequests, text: str) -> str:
    body = slack.command(text).json()
    return json.dumps(body, ensure_ascii=False)


def values(services: Services) -> list[tuple[str, date, float, str]]:
    with services.sessions() as session:
        rows = session.execute(
            select(Metric.name, MetricValue.local_date, MetricValue.value, MetricValue.day_kind)
            .join(Metric, Metric.id == MetricValue.metric_id)
            .order_by(MetricValue.id)
        )
        return [tuple(row) for row in rows]


def metrics(services: Services) -> list[tuple[str, str, str, float | None, str | None, bool]]:
    with services.sessions() as session:
        return [
            (m.name, m.unit, m.direction, m.target, m.target_per, m.archived_at is not None)
            for m in session.scalars(select(Metric).order_by(Metric.id))
        ]


def test_define_list_and_log_values_tied_to_the_days_kind(slack: SlackRequests, services: Services) -> None:
    services.clock = lambda: WED
    assert "Remote days: Tue, Wed" in answer(slack, "days tue,wed")
    assert "Added" in answer(slack, "metric add Tickets closed, count, at least 12 a week")
    assert "Added" in answer(slack, "metric add first response, minutes, at most 10 a day")
    assert metrics(services) == [
        ("Tickets closed", "count", "higher", 12.0, "week", False),
        ("first response", "minutes", "lower", 10.0, "day", False),
    ]
    listed = answer(slack, "metrics")
    assert (
        "Tickets closed" in listed and "at least 12 a week" in listed and "at most 10 minutes a day" in listed
    )

    logged = answer(slack, "metric tickets  CLOSED 5")
    assert "Logged *Tickets closed*: 5 for *today* (a remote day)" in logged
    assert "This week so far: 5 (target at least 12 a week)" in logged
    logged = answer(slack, "metric tickets closed 8 2026-03-09")  # Monday: an office day
    assert "for *Mon 9 Mar* (an office day)" in logged
    assert "This week so far: 13 (target at least 12 a week). Target met." in logged
    assert "*today*" in answer(slack, "metric first response 12.5")
    assert values(services) == [
        ("Tickets closed", date(2026, 3, 11), 5.0, "remote"),
        ("Tickets closed", date(2026, 3, 9), 8.0, "office"),
        ("first response", date(2026, 3, 11), 12.5, "remote"),
    ]


def test_an_unknown_name_lists_the_members_metrics_and_logs_nothing(
    slack: SlackRequests, services: Services
) -> None:
    services.clock = lambda: WED
    none_yet = answer(slack, "metric tickets 4")
    assert "isn't one of your metrics: you have none yet" in none_yet and "metric add tickets" in none_yet
    answer(slack, "metric add tickets closed, at least 12 a week")
    answer(slack, "metric add uptime, %, higher")
    typo = answer(slack, "metric tickets clsoed 4")
    assert "“tickets clsoed” isn't one of your metrics" in typo
    assert "*tickets closed*" in typo and "*uptime*" in typo
    assert values(services) == [] and len(metrics(services)) == 2  # never a silent new metric


def test_a_sixth_metric_is_refused_with_the_list_and_removing_one_keeps_its_values(
    slack: SlackRequests, services: Services
) -> None:
    services.clock = lambda: WED
    for n in range(5):
        assert "Added" in answer(slack, f"metric add measure {n}")
    refused = answer(slack, "metric add measure 5")
    assert "wasn't added" in refused and "measure 4" in refused
    assert len(metrics(services)) == 5
    answer(slack, "metric measure 0 3")
    assert "Removed *measure 0*" in answer(slack, "metric remove MEASURE 0")
    assert "isn't one of your metrics" in answer(slack, "metric measure 0 3")
    assert "Added" in answer(slack, "metric add measure 5")
    refused_again = answer(slack, "metric add measure 0")  # five in use again: it can't come back
    assert "wasn't added" in refused_again
    answer(slack, "metric remove measure 5")
    assert "Added" in answer(slack, "metric add measure 0, lower")  # back, with its value
    assert [m for m in metrics(services) if m[0] == "measure 0"] == [
        ("measure 0", "count", "lower", None, None, False)
    ]
    assert [v[:3] for v in values(services)] == [("measure 0", date(2026, 3, 11), 3.0)]


def test_the_same_command_delivered_twice_logs_one_value(slack: SlackRequests, services: Services) -> None:
    services.clock = lambda: WED
    answer(slack, "metric add deploys")
    body = slack.command_body("metric deploys 2")
    for _ in range(2):
        assert slack.post(body, "application/x-www-form-urlencoded").status == 200
    assert [v[:3] for v in values(services)] == [("deploys", date(2026, 3, 11), 2.0)]


def test_a_future_date_and_a_bad_definition_are_answered_with_what_was_typed(
    slack: SlackRequests, services: Services
) -> None:
    services.clock = lambda: WED
    answer(slack, "metric add deploys")
    future = answer(slack, "metric deploys 2 2026-03-12")
    assert "can't be in the future" in future and "metric deploys 2 2026-03-12" in future
    bad = answer(slack, "metric add deploys, weekly-ish")
    assert "didn't understand “weekly-ish”" in bad and "You typed" in bad
    assert values(services) == []


def test_a_dm_logs_a_value_too(slack: SlackRequests, services: Services, fake_slack: FakeSlack) -> None:
    services.clock = lambda: WED
    answer(slack, "metric add deploys")
    event = {
        "type": "message",
        "channel": "D1",
        "user": "U1",
        "text": "metric deploys 3",
        "ts": "1790000000.000001",
        "channel_type": "im",
    }
    fake_slack._dm("U1")
    slack.event(event)
    reply = wait_until(lambda: [m for m in fake_slack.messages if m.channel == "D1"], what="the DM answer")
    assert "Logged *deploys*: 3" in json.dumps(reply[0].blocks)
    assert [v[:3] for v in values(services)] == [("deploys", date(2026, 3, 11), 3.0)]


# -- the win modal -----------------------------------------------------------------------------------------


def metric_block(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b["block_id"] == "metric_name")["element"]


def picked(name: str | None) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": name} if name else None}}


def test_the_modal_offers_the_members_metrics_as_a_list(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: WED
    assert metric_block(open_win_form(slack, fake_slack))["type"] == "plain_text_input"  # none yet: typed
    answer(slack, "metric add tickets closed, at least 12 a week")
    answer(slack, "metric add " + "a very long metric name that goes on " * 2)
    view = open_win_form(slack, fake_slack)
    element = metric_block(view)
    assert element["type"] == "static_select"
    assert element["options"][0]["value"] == "tickets closed"
    assert all(len(o["text"]["text"]) <= 75 for o in element["options"])

    # A number without a metric: the error rides on the ack, so Slack keeps everything in the modal.
    missing = form_values("closed a batch", metric_value="7") | {"metric_name": picked(None)}
    reply = slack.submit_view(view, missing)
    assert reply.json()["response_action"] == "errors" and set(reply.json()["errors"]) == {"metric_name"}

    chosen = form_values("closed a batch", metric_value="7") | {"metric_name": picked("tickets closed")}
    assert slack.submit_view(view, chosen).body == b""
    with services.sessions() as session:
        [win] = session.scalars(select(Win)).all()
    assert (win.metric_name, win.metric_value) == ("tickets closed", 7.0)

    edit = open_win_form(slack, fake_slack, f"edit {win.id}")
    assert metric_block(edit)["initial_option"]["value"] == "tickets closed"


def test_values_logged_with_metric_reach_the_digests_comparison(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    from storage.digest import load_digest

    fake_slack.add_user("UM", tz="Europe/Berlin", name="mia")
    services.clock = lambda: WED - timedelta(days=20)  # joined three weeks before
    answer(slack, "days tue,wed")
    assert "<@UM>" in answer(slack, "manager <@UM>")
    services.clock = lambda: WED
    answer(slack, "metric add Tickets closed")
    for day, value in (
        ("2026-03-03", 4),
        ("2026-03-04", 2),
        ("2026-03-04", 3),
        ("2026-03-09", 6),
        ("2026-03-06", 1),
    ):
        assert "Logged" in answer(slack, f"metric tickets closed {value} {day}")
    slack.command("tickets closed on the side")  # a win without a metric changes nothing
    with services.sessions() as session:
        digest = load_digest(session, "T0001", "UM", "2026-W11", now=WED)
    (rates,) = digest.reports[0].comparison.metrics
    # Tue 3 Mar 4, Wed 4 Mar 2 + 3 (a day adds up its values): remote 4.5 on 2 days; Fri 6, Mon 9: office 3.5.
    assert (rates.name, rates.remote, rates.remote_days, rates.office, rates.office_days) == (
        "Tickets closed",
        4.5,
        2,
        3.5,
        2,
    )
