"""The same text saves on both databases, within one limit, whichever way it comes in; and a link's
label can't lie about where it goes."""

from __future__ import annotations

import json

import pytest

from bot.blocks.escape import link
from bot.services import Services
from rules.wins import MAX_TEXT, WinForm, is_web_address, validate_form
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, form_values, saved_wins, wait_until

DM = {"type": "message", "channel": "D1", "user": "U1", "channel_type": "im"}


def test_nul_and_lone_surrogates_save_alike_on_both_databases_every_way_in(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    """PostgreSQL refuses NUL in text, and neither database takes half a surrogate pair: they used to make
    a win saved on SQLite lost on PostgreSQL."""
    assert "Saved win" in slack.command("ship\x00ped the\x00 build").json()["text"]
    slack.event(DM | {"text": "fixed\x00 the \ud800flaky test", "ts": "1790000000.000100"})
    wait_until(lambda: len(saved_wins(services)) == 2, what="the DM's win")
    values = form_values("wrote\x00 the \udfffdocs", metric_name="pages\x00", metric_value="3")
    assert slack.submit_view({"id": "VN"}, values).body == b""
    assert [(w.text, w.metric_name) for w in saved_wins(services)] == [
        ("shipped the build", None),
        ("fixed the \ufffdflaky test", None),
        ("wrote the \ufffddocs", "pages"),
    ]
    slack.message_shortcut("a message with a\x00 NUL")
    opened = wait_until(lambda: fake_slack.calls_to("views.open"), what="the shortcut's form")[0]
    assert "a message with a NUL" in json.dumps(opened.params["view"])


def test_one_limit_for_a_wins_text_whichever_way_it_comes_in(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    longest, too_long = "x" * MAX_TEXT, "y" * (MAX_TEXT + 1)
    assert "Saved win" in slack.command(longest).json()["text"]
    refused = slack.command(too_long).json()
    assert f"at most {MAX_TEXT} characters, and this one is {MAX_TEXT + 1}" in refused["text"]
    assert "yyyy" in json.dumps(refused["blocks"])  # the text comes back to be shortened
    huge = slack.command("z" * 900_000)  # a slash command's text has no limit of its own in Slack
    assert huge.status == 200 and "this one is 900000" in huge.json()["text"]
    slack.event(DM | {"text": too_long, "ts": "1790000000.000200"})
    answer = wait_until(lambda: fake_slack.calls_to("chat.postMessage"), what="the DM's answer")[0]
    assert f"at most {MAX_TEXT} characters" in answer.params["text"]
    form = slack.submit_view({"id": "VL"}, form_values(too_long))
    assert f"at most {MAX_TEXT} characters, and this one is {MAX_TEXT + 1}" in form.json()["errors"]["text"]
    assert [w.text for w in saved_wins(services)] == [longest]


LIARS = [
    "https://evil.example/|https://good.example",
    "https://evil.example/>https://good.example",
    "https://evil.example/<x",
    "https://evil.example/ https://good.example",
    "https://evil.example/\thttps://good.example",
    "https://evil.example/\u202ehttps://good.example",
    'https://evil.example/"onclick',
    "https://evil.example:port/",
    "javascript:alert(1)",
    "https://",
    "https:///path-only",
]


@pytest.mark.parametrize("address", LIARS)
def test_a_link_slack_could_read_as_markup_is_refused(address: str) -> None:
    form = WinForm("a win", None, None, None, address, None, None, False)
    draft, errors = validate_form(form, __import__("datetime").date(2026, 11, 24))
    assert draft is None and "link" in errors
    assert not is_web_address(address)


@pytest.mark.parametrize(
    "address", ["https://good.example/a?b=c&d=e#f", "http://localhost:8080/x", "https://例え.jp/パス"]
)
def test_well_formed_web_addresses_are_kept(address: str) -> None:
    assert is_web_address(address)


def test_a_stored_link_with_a_bar_is_shown_with_an_honest_label() -> None:
    """Links saved before they were checked: the bar and spaces are percent-encoded, so the label stays
    ours and the address is the whole of what was stored."""
    assert (
        link("https://evil.example/|https://good.example")
        == "<https://evil.example/%7Chttps://good.example|link>"
    )
    assert link("https://a.example/x y") == "<https://a.example/x%20y|link>"
    assert link("https://a.example/<b>&c") == "<https://a.example/&lt;b&gt;&amp;c|link>"
