"""Events the manifest subscribes to. Each has a listener, or Bolt answers 404 and Slack retries it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import logbook
from bot.blocks.home import home_view
from bot.services import Services

SUBSCRIBED_EVENTS = ("app_home_opened",)


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            services.background.submit(publish_home, services, context["team_id"], event["user"])


def publish_home(services: Services, team: str, user: str) -> None:
    """Republishing is idempotent, so a retried event (X-Slack-Retry-Num) does no harm."""
    wins, period, today = logbook.wins_in_period(services, team, user, "this week")
    services.client.views_publish(user_id=user, view=home_view(wins, period, today))
