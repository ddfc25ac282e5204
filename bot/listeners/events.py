"""Events the manifest subscribes to. Each has a listener, or Bolt answers 404 and Slack retries it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.home import publish_home
from bot.installs import stop_workspace
from bot.services import Services

# The manifest's other bot event, `message.im` (a DM to the bot), is answered in `bot.listeners.messages`;
# tests/bot/test_registered_listeners.py checks every subscribed event reaches a listener.


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            services.background.home(publish_home, services, context["team_id"], event["user"])

    # Before the ack, so that nothing is sent to the workspace from the moment Slack hears back.
    @app.event("app_uninstalled")
    def uninstalled(context: dict[str, Any]) -> None:
        stop_workspace(services, context["team_id"], "the app was uninstalled")

    @app.event("tokens_revoked")
    def revoked(event: dict[str, Any], context: dict[str, Any]) -> None:
        if (event.get("tokens") or {}).get("bot"):  # the app holds no user tokens: only the bot's matter
            stop_workspace(services, context["team_id"], "the bot's tokens were revoked")
