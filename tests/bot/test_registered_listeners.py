"""What Bolt registered matches what Slack will send: the manifest's events, command and shortcut, and
every action_id and view callback_id the code renders. A request nothing matches gets Bolt's 404 (an
event is then retried, a button shows an error); a listener nothing can reach is dead code."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.app import create_app
from bot.services import Services
from remote_wins.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Inputs in a modal answer with the submission, not with block_actions (no `dispatch_action` anywhere:
# checked below); they all share this action_id.
INPUT_ACTION_ID = "value"
# Views with no Submit button: Slack sends no view_submission for them.
READ_ONLY_VIEWS = {"digest_detail"}  # the digest's details modal: Previous, Next and Ask are buttons


def _strings(node: ast.expr, module: ModuleType) -> Iterator[str | None]:
    """The strings an action_id or callback_id expression can be; None where it can't be read. A value
    formatted into an f-string (`f"{SNOOZE}_{m}"`) is taken as "0", as a pattern listener must match."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Name):
        value = getattr(module, node.id, None)
        yield value if isinstance(value, str) else None
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, module)
        yield from _strings(node.orelse, module)
    elif isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            else:
                assert isinstance(part, ast.FormattedValue)
                parts.append(next(_strings(part.value, module), None) or "0")
        yield "".join(parts)
    else:
        yield None


def rendered_ids() -> tuple[set[str], set[str]]:
    """The action_ids and the submittable views' callback_ids found in bot/'s source: `"action_id": X`
    and `"callback_id": X` in dict literals, and X passed as the `action_id` of a helper (the module's own
    or one it imports, like `bot.blocks.kit.button`)."""
    actions: set[str] = set()
    views: set[str] = set()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "dispatch_action" not in source, f"{path}: an input sends block_actions now; see above"
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        tree = ast.parse(source)
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        params = {f.name: [a.arg for a in f.args.args] for f in functions}
        own_params = {a.arg for f in functions for a in f.args.args}
        for into, expression in _id_expressions(tree, module, params, actions, views):
            if isinstance(expression, ast.Name) and expression.id in own_params:
                continue  # a helper's own parameter: its callers are found instead
            for value in _strings(expression, module):
                assert value is not None, f"{path}: can't read the id {ast.unparse(expression)}"
                into.add(value)
    return actions - {INPUT_ACTION_ID}, views - READ_ONLY_VIEWS


def _id_expressions(
    tree: ast.Module, module: ModuleType, params: dict[str, list[str]], actions: set[str], views: set[str]
) -> list[tuple[set[str], ast.expr]]:
    """Each expression in the module that gives an id, with the set its values belong to: a dict's
    `action_id` or `callback_id`, or the `action_id` argument of a call to one of the module's functions
    (`params`: their parameters' names) or of a function it imports."""
    found: list[tuple[set[str], ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("action_id", "callback_id"):
                    found.append((actions if key.value == "action_id" else views, value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names = _helper_params(node.func.id, params, module)
            if "action_id" in names and len(node.args) > names.index("action_id"):
                found.append((actions, node.args[names.index("action_id")]))
    return found


def _helper_params(name: str, params: dict[str, list[str]], module: ModuleType) -> list[str]:
    """The parameters of the function a call names: the module's own (nested ones too), else one it
    imports."""
    if name in params:
        return params[name]
    target = getattr(module, name, None)
    return list(inspect.signature(target).parameters) if inspect.isfunction(target) else []


def _manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def what_slack_sends() -> dict[str, dict[str, Any]]:
    """One request body per thing Slack can send this app, named for the failure message."""
    manifest = _manifest()
    bodies: dict[str, dict[str, Any]] = {}
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        kind, _, channel_type = event.partition(".")  # message.im: type message, channel_type im
        payload = {"type": kind, "user": "U1", "channel": "D1", "text": "x", "tab": "home", "tokens": {}}
        if channel_type:
            payload["channel_type"] = channel_type
        bodies[f"event {event}"] = {"type": "event_callback", "team_id": "T0001", "event": payload}
    for command in manifest["features"]["slash_commands"]:
        name = command["command"]
        bodies[f"command {name}"] = {"command": name, "text": "", "team_id": "T0001"}
    for shortcut in manifest["features"]["shortcuts"]:
        kind = "message_action" if shortcut["type"] == "message" else "shortcut"
        bodies[f"shortcut {shortcut['callback_id']}"] = {"type": kind, "callback_id": shortcut["callback_id"]}
    actions, views = rendered_ids()
    for action_id in actions:
        action = {"action_id": action_id, "block_id": "b", "type": "button", "value": "v"}
        bodies[f"action {action_id}"] = {"type": "block_actions", "actions": [action]}
    for callback_id in views:
        view = {"type": "modal", "callback_id": callback_id}
        bodies[f"view {callback_id}"] = {"type": "view_submission", "view": view}
    return bodies


def _matches(app: App, body: dict[str, Any]) -> list[Any]:
    request = BoltRequest(body=body, mode="socket_mode")
    return [
        listener
        for listener in app._listeners  # what Bolt registered: it has no public list
        if listener.matches(req=request, resp=BoltResponse(status=200))
    ]


@pytest.fixture
def app(settings: Settings, services: Services) -> App:
    return create_app(settings, services)


def test_everything_slack_sends_has_a_listener(app: App) -> None:
    bodies = what_slack_sends()
    assert {"event app_home_opened", "action win_undo", "view win_form"} <= bodies.keys()  # the scan works
    unheard = sorted(name for name, body in bodies.items() if not _matches(app, body))
    assert not unheard, f"Slack sends these but Bolt has no listener for them: {unheard}"


def test_every_listener_hears_something_slack_sends(app: App) -> None:
    heard = {id(listener) for body in what_slack_sends().values() for listener in _matches(app, body)}
    deaf = [listener.ack_function.__qualname__ for listener in app._listeners if id(listener) not in heard]
    assert not deaf, f"registered, but nothing the manifest or the code's blocks send reaches them: {deaf}"
