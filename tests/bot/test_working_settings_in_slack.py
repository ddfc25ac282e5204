"""`hours` and `holidays` through Slack: the answers, a bad country or region echoed with how to find the
codes, the modal's working-hours fields, and the Home naming the holiday calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.services import Services
from tests.bot.test_settings import at, member, open_settings, said, values
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, block_with_id, wait_until

MONDAY_NOON_BERLIN = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_hours_are_saved_and_stated(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    shown = said(slack, "hours 08:30-17:30 mon,tue,wed,thu")
    assert "Working hours: 08:30–17:30, Mon, Tue, Wed, Thu" in shown
    stored = member(services)
    assert (stored.work_start_minute, stored.work_end_minute, stored.work_days) == (510, 1050, 0b1111)
    assert "Working hours: 08:30–17:30, Mon, Tue, Wed, Thu" in said(slack, "settings show")


def test_a_bad_hours_text_is_echoed_with_the_form(slack: SlackRequests, services: Services) -> None:
    said(slack, "hours 08:00-16:00")
    shown = said(slack, "hours 18:00-09:00")
    assert "must end after it starts" in shown and "You typed: hours 18:00-09:00" in shown
    assert member(services).work_start_minute == 8 * 60  # nothing changed


def test_holidays_are_saved_stated_and_a_bad_code_says_where_the_codes_are(
    slack: SlackRequests, services: Services
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    shown = said(slack, "holidays de by")
    assert "Public holidays: DE (BY), set by you" in shown
    assert (member(services).holiday_country, member(services).holiday_region) == ("DE", "BY")
    bad = said(slack, "holidays Germany")
    assert "“Germany” isn't a country code" in bad and "holidays.readthedocs.io" in bad
    assert "You typed: holidays Germany" in bad
    region = said(slack, "holidays DE Narnia")
    assert "DE has no region “Narnia”" in region and "BY" in region
    assert member(services).holiday_region == "BY"  # nothing changed
    assert "Public holidays: none, by your choice" in said(slack, "holidays none")
    assert member(services).holiday_country == "none"


def test_the_modal_shows_and_saves_working_hours(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "hours 08:00-16:00")
    view = open_settings(slack, fake_slack)
    assert block_with_id(view, "work_start")["element"]["initial_time"] == "08:00"
    assert block_with_id(view, "work_end")["element"]["initial_time"] == "16:00"
    workdays = block_with_id(view, "workdays")["element"]["initial_options"]
    assert [o["value"] for o in workdays] == ["0", "1", "2", "3", "4"]
    state = values() | {
        "work_start": {"value": {"type": "timepicker", "selected_time": "10:00"}},
        "work_end": {"value": {"type": "timepicker", "selected_time": "19:00"}},
        "workdays": {"value": {"type": "checkboxes", "selected_options": [{"value": "6"}, {"value": "0"}]}},
    }
    assert slack.submit_view(view, state).body == b""
    stored = member(services)
    assert (stored.work_start_minute, stored.work_end_minute, stored.work_days) == (600, 1140, 0b1000001)
    late = values() | {
        "work_start": {"value": {"type": "timepicker", "selected_time": "19:00"}},
        "work_end": {"value": {"type": "timepicker", "selected_time": "10:00"}},
    }
    body = slack.submit_view(view, late).json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"work_end"}


def test_the_home_names_the_holiday_calendar_and_todays_holiday(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, datetime(2026, 12, 25, 11, 0, tzinfo=UTC))  # Christmas Day, noon in Berlin
    said(slack, "holidays DE BE")
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    published = wait_until(lambda: fake_slack.calls_to("views.publish"), what="the Home")[-1]
    home = json.dumps(published.params["view"], ensure_ascii=False)
    assert "public holidays: DE (BE), set by you" in home
    assert "Today is a public holiday (Christmas Day): no prompts." in home
