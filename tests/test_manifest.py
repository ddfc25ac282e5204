"""Checks on manifest.yml, the Slack app manifest that creates the whole app in one step.

The schema is Slack's published one (slackapi/manifest-schema, MIT), copied into tests/data/slack so
these tests pass in a clone with no ../shared beside it. Every path is relative to this file.
"""

from __future__ import annotations

import ast
import copy
import itertools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from slack_sdk import WebClient

from remote_wins.simulator.fake_slack import NEEDED_SCOPE

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


# The bot scope each Web API method the code calls needs (None: none), from the method's reference page
# https://docs.slack.dev/reference/methods/<method> ("Required scopes", bot token). A method missing
# here fails the test: look it up and add it.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,  # https://docs.slack.dev/reference/methods/auth.test
    "chat.postMessage": "chat:write",  # https://docs.slack.dev/reference/methods/chat.postMessage
    "chat.postEphemeral": "chat:write",  # https://docs.slack.dev/reference/methods/chat.postEphemeral
    "chat.update": "chat:write",  # https://docs.slack.dev/reference/methods/chat.update
    "chat.delete": "chat:write",  # https://docs.slack.dev/reference/methods/chat.delete
    "chat.getPermalink": None,  # https://docs.slack.dev/reference/methods/chat.getPermalink
    "conversations.open": "im:write",  # https://docs.slack.dev/reference/methods/conversations.open
    "users.info": "users:read",  # https://docs.slack.dev/reference/methods/users.info
    "views.open": None,  # https://docs.slack.dev/reference/methods/views.open
    "views.update": None,  # https://docs.slack.dev/reference/methods/views.update
    "views.push": None,  # https://docs.slack.dev/reference/methods/views.push
    "views.publish": None,  # https://docs.slack.dev/reference/methods/views.publish
    # https://docs.slack.dev/reference/methods/files.getUploadURLExternal
    "files.getUploadURLExternal": "files:write",
    # https://docs.slack.dev/reference/methods/files.completeUploadExternal
    "files.completeUploadExternal": "files:write",
}
# slack_sdk helpers that call several API methods (slack_sdk/web/client.py, files_upload_v2).
WRAPPERS = {"files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}
# The bot scope each subscribed event needs, from https://docs.slack.dev/reference/events/<event>.
EVENT_SCOPES: dict[str, str | None] = {
    "app_home_opened": None,
    "message.im": "im:history",
    "app_uninstalled": None,
    "tokens_revoked": None,
}
# Slash commands and shortcuts need `commands` (https://docs.slack.dev/reference/scopes/commands).
COMMANDS_FEATURES = ("slash_commands", "shortcuts")
# The app's code; the simulator is the fake Slack the tests and the sandbox talk to, not the bot.
APP_PACKAGES = ("bot", "jobs", "storage", "rules", "remote_wins")
NOT_THE_APP = ROOT / "remote_wins" / "simulator"


def web_api_methods(source: str) -> set[str]:
    """The Web API methods a module calls through a WebClient: `client.chat_postMessage(...)` is
    chat.postMessage, `client.api_call("x.y")` is x.y, and a helper like files_upload_v2 its methods."""
    client_methods = {name for name in dir(WebClient) if not name.startswith("_")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value))
        elif name in WRAPPERS:
            found.update(WRAPPERS[name])
        elif name in client_methods and callable(getattr(WebClient, name)) and "_" in name:
            found.add(name.replace("_", "."))
    return found


def the_codes_methods() -> dict[str, set[str]]:
    """Every Web API method the app's code calls, with the files that call it."""
    callers: dict[str, set[str]] = {}
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if NOT_THE_APP in path.parents:
                continue
            for method in web_api_methods(path.read_text(encoding="utf-8")):
                callers.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    return callers


def needed_scopes(methods: set[str], manifest: dict[str, Any]) -> set[str]:
    """The bot scopes the given methods, the manifest's events and its commands/shortcuts need."""
    unknown = sorted(methods - METHOD_SCOPES.keys())
    assert not unknown, f"no scope known for {unknown}: add them to METHOD_SCOPES with their page"
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    unknown = sorted(set(subscribed) - EVENT_SCOPES.keys())
    assert not unknown, f"no scope known for the events {unknown}: add them to EVENT_SCOPES"
    scopes = {METHOD_SCOPES[m] for m in methods} | {EVENT_SCOPES[e] for e in subscribed}
    if any(manifest["features"].get(feature) for feature in COMMANDS_FEATURES):
        scopes.add("commands")
    return {scope for scope in scopes if scope}


def test_bot_scopes_are_exactly_what_the_code_uses(manifest):
    # The methods the code calls, found in its source, decide the scopes: a scope the manifest lacks
    # fails every install's call (missing_scope); one it has but nothing uses asks admins for too much.
    callers = the_codes_methods()
    assert {"chat.postMessage", "users.info", "views.publish"} <= callers.keys(), callers  # the scan works
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), scopes
    assert set(scopes) == needed_scopes(set(callers), manifest), callers


def test_a_new_call_or_a_removed_scope_breaks_the_match(manifest):
    # Guards against a vacuous pass: the scan sees a new call, and the needs follow the manifest.
    calls = web_api_methods("def f(client):\n    client.conversations_open(users='U1')\n")
    assert calls == {"conversations.open"}
    methods = set(the_codes_methods())
    assert needed_scopes(methods | calls, manifest) - set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "im:write"
    }
    fewer = copy.deepcopy(manifest)
    fewer["oauth_config"]["scopes"]["bot"].remove("users:read")
    assert set(fewer["oauth_config"]["scopes"]["bot"]) != needed_scopes(methods, fewer)
    with pytest.raises(AssertionError, match=r"reactions\.add"):
        needed_scopes(methods | web_api_methods("client.reactions_add(name='x')"), manifest)


def test_the_fake_slack_asks_for_the_same_scopes():
    # The fake refuses a call without its scope (missing_scope) using its own table: the two agree.
    for method, scope in METHOD_SCOPES.items():
        assert NEEDED_SCOPE[method] == scope, method


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
