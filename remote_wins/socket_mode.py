"""Socket Mode: the same app over a WebSocket, for a laptop with no public URL."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_services, create_app
from remote_wins.config import Settings


def run_socket_mode(settings: Settings) -> None:
    settings.require_bot_token()
    app_token = settings.require_app_token()
    services = build_services(settings)
    try:
        SocketModeHandler(create_app(settings, services, socket_mode=True), app_token).start()
    finally:
        services.close()
