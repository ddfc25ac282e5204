"""Checks on manifest.yml, the Slack app manifest that creates the whole app in one step.

The schema is Slack's published one (slackapi/manifest-schema, MIT), copied into tests/data/slack so
these tests pass in a clone with no ../shared beside it. Every path is relative to this file.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.listeners import events

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "slack" / "manifest.schema.1.0.0.json"

PLACEHOLDER_URL = "https://YOUR-APP-HOST.example.com/slack/events"
URL_KEYS = {"url", "request_url", "message_menu_options_url"}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), f"{MANIFEST_PATH} is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator: jsonschema.Draft7Validator, instance: Any) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def _urls(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, value) under a key that holds a URL Slack will call, anywhere in the manifest."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}/{key}"
            if key in URL_KEYS and isinstance(value, str):
                found.append((where, value))
            else:
                found.extend(_urls(value, where))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_urls(item, f"{path}/{i}"))
    return found


def test_manifest_validates_against_slack_schema(manifest, validator):
    errors = _errors(validator, manifest)
    assert not errors, "manifest.yml does not match Slack's manifest schema:\n" + "\n".join(errors)


def test_validator_rejects_an_unknown_top_level_key(manifest, validator):
    # Guards against a vacuous pass (an empty or permissive schema would accept anything).
    broken = copy.deepcopy(manifest)
    broken["not_a_manifest_key"] = True
    errors = _errors(validator, broken)
    assert errors, "the schema accepted an unknown top-level key; is the copied schema intact?"
    assert any("not_a_manifest_key" in e for e in errors), errors


def test_display_information(manifest):
    info = manifest["display_information"]
    assert info["name"] == "remote-wins"
    assert len(info["description"]) < 140
    assert 175 <= len(info["long_description"]) <= 4000
    # The schema spells this check "regex", which JSON Schema ignores, so check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])


def test_every_url_is_the_same_placeholder(manifest):
    urls = _urls(manifest)
    # The slash command, event subscriptions and interactivity at least.
    assert len(urls) >= 3, urls
    assert {value for _, value in urls} == {PLACEHOLDER_URL}, urls
    assert all(value.endswith("/slack/events") for _, value in urls), urls
    # The admin is told, at the top of the file, what to replace.
    lines = MANIFEST_PATH.read_text(encoding="utf-8").splitlines()
    head = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    assert "YOUR-APP-HOST" in head, "manifest.yml should start with a comment saying what to replace"
    assert "socket_mode_enabled" in head


def test_slash_command_and_shortcut(manifest):
    features = manifest["features"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/remote-win"
    assert command["should_escape"] is True
    (shortcut,) = features["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == "save_as_remote_win"


def test_bot_scopes_are_exactly_what_the_code_uses(manifest):
    # Change this with the code that needs a new scope, in the same commit. files:write is for the
    # digest's chart (files.getUploadURLExternal and files.completeUploadExternal, in jobs/digest.py);
    # im:history is what the message.im event needs (a DM to the bot, bot/listeners/messages.py).
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), scopes
    assert set(scopes) == {"commands", "chat:write", "users:read", "files:write", "im:history"}


def test_every_subscribed_event_has_a_listener(manifest):
    # Bolt answers 404 to an event no listener matches and Slack retries it, so every bot event in
    # the manifest must be one the app registers a listener for.
    bot_events = manifest["settings"]["event_subscriptions"]["bot_events"]
    missing = sorted(set(bot_events) - set(events.SUBSCRIBED_EVENTS))
    assert not missing, f"subscribed in manifest.yml but no listener: {missing}"


def test_a_direct_message_to_the_bot_reaches_it_and_nothing_else_does(manifest):
    # A DM is read as /remote-win's text (bot/listeners/messages.py): the Messages tab takes messages,
    # and the message.im event needs im:history (https://docs.slack.dev/reference/events/message.im).
    # Messages in channels are none of the bot's business, so no other message.* event is subscribed.
    app_home = manifest["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
    bot_events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert [event for event in bot_events if event.startswith("message")] == ["message.im"]
    assert "im:history" in manifest["oauth_config"]["scopes"]["bot"]
