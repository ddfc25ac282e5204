"""The end-of-day summary offers the member's metrics as a list, with a number, over signed HTTP: a value
logged there is tied to that day and its kind as `/remote-win metric` ties one; a bad field is marked and
everything typed stays in the modal; sending the summary again replaces the day's value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.services import Services
from rules.metrics import MetricDef
from storage.metrics import define_metric, remove_metric, values_between
from storage.models import MetricValue
from tests.bot.test_plans import POST_IT_AGAIN, deliver, open_form, stored_plan, summary_values
from tests.bot.test_prompts import DAY, EVENING, MORNING, add_member, post_plan
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, block_with_id, wait_until

TUE_TO_FRI = 0b0011110  # remote days: DAY is a Tuesday


def with_metric(name: str | None, number: str | None, **kw: Any) -> dict[str, Any]:
    values = summary_values((0,), items=2, blockers="VPN & DNS", tomorrow="write docs", **kw)
    picked = {"selected_option": {"value": name}} if name else {"selected_option": None}
    values["metric_name"] = {"value": {"type": "static_select", **picked}}
    values["metric_value"] = {"value": {"type": "number_input", "value": number}}
    return values


def stored_values(services: Services) -> list[tuple[Any, ...]]:
    with services.sessions() as session:
        rows = session.execute(
            select(
                MetricValue.local_date, MetricValue.value, MetricValue.day_kind, MetricValue.source_ref
            ).order_by(MetricValue.id)
        )
        return [tuple(r) for r in rows]


def test_the_summary_offers_the_members_metrics_and_logs_the_days_value(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, remote_days=TUE_TO_FRI)
    with services.sessions.begin() as session:
        for name in ("tickets closed", "first response"):
            define_metric(session, ana.id, MetricDef(name), MORNING)
    post_plan(services, ana, ["one", "two"])
    services.clock = lambda: EVENING
    view = open_form(slack, fake_slack, deliver(services, fake_slack, ana, "eod"), "summary_open")
    picker = block_with_id(view, "metric_name")["element"]
    assert picker["type"] == "static_select"  # a list, never free text
    assert [o["value"] for o in picker["options"]] == ["tickets closed", "first response"]
    assert block_with_id(view, "metric_value")["element"]["type"] == "number_input"

    # Bad fields are marked; the modal keeps what was typed; nothing is saved.
    errors = {
        ("tickets closed", "twelve"): {"metric_value": "Use a number, like 12 or 3.5."},
        (None, "4"): {"metric_name": "Pick the metric this number is for."},
        ("tickets closed", None): {"metric_value": "Give the number for this metric."},
    }
    for (name, number), expected in errors.items():
        reply = slack.submit_view(view, with_metric(name, number))
        assert reply.json() == {"response_action": "errors", "errors": expected}
    with services.sessions.begin() as session:
        remove_metric(session, ana.id, "first response", MORNING)  # removed while the form was open
    reply = slack.submit_view(view, with_metric("first response", "3"))
    assert reply.json()["errors"] == {
        "metric_name": "“first response” is no longer one of your metrics: pick again."
    }
    assert stored_plan(services, ana).status == "posted" and stored_values(services) == []

    assert slack.submit_view(view, with_metric("tickets closed", "4.5")).body == b""
    wait_until(lambda: stored_plan(services, ana).summary_ts, what="the summary posted")
    assert slack.command("metric tickets closed 2").status == 200  # the same day, the command's way
    summary, command = stored_values(services)
    assert summary == (DAY, 4.5, "remote", "summary:2026-11-24")
    assert command[:3] == (DAY, 2.0, "remote")  # tied to the day and its kind alike
    with services.sessions() as session:
        assert sorted(values_between(session, ana.id, DAY, DAY)) == [
            (DAY, "tickets closed", 2.0),
            (DAY, "tickets closed", 4.5),
        ]

    # Sent again, it opens as it was sent, and the day's value is replaced, never added twice.
    again = open_form(slack, fake_slack, POST_IT_AGAIN, "summary_open")
    assert block_with_id(again, "metric_name")["element"]["initial_option"]["value"] == "tickets closed"
    assert block_with_id(again, "metric_value")["element"]["initial_value"] == "4.5"
    assert slack.submit_view(again | {"id": "V-again"}, with_metric("tickets closed", "6")).body == b""
    wait_until(lambda: stored_values(services)[0][1] == 6.0, what="the value replaced")
    assert len(stored_values(services)) == 2
    third = open_form(slack, fake_slack, POST_IT_AGAIN, "summary_open")
    assert slack.submit_view(third | {"id": "V-third"}, with_metric(None, None)).body == b""
    wait_until(lambda: len(stored_values(services)) == 1, what="the summary's value cleared")
    assert stored_values(services)[0][3] != "summary:2026-11-24"


def test_a_member_without_metrics_gets_no_metric_fields(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, remote_days=TUE_TO_FRI)
    post_plan(services, ana, ["one"])
    services.clock = lambda: EVENING
    view = open_form(slack, fake_slack, deliver(services, fake_slack, ana, "eod"), "summary_open")
    assert not [b for b in view["blocks"] if b.get("block_id") in ("metric_name", "metric_value")]
