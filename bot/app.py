"""Wiring: the Bolt app with every listener registered. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.listeners import register_all
from bot.services import Services
from bot.slack_client import web_client
from bot.slack_text import storable
from remote_wins.config import Settings
from storage.db import create_db_engine, session_factory
from storage.schema import ensure_current

log = logging.getLogger(__name__)


def build_services(settings: Settings) -> Services:
    """Engine, sessions and the Slack client; refuses a database whose schema is behind the code."""
    engine = create_db_engine(settings.database_url)
    ensure_current(engine)
    return Services(engine=engine, sessions=session_factory(engine), client=web_client(settings))


def create_app(settings: Settings, services: Services, *, socket_mode: bool = False) -> App:
    """The Bolt app. It acks from the listener itself (`process_before_response`), so it never polls."""
    app = App(
        client=services.client,
        signing_secret=None if socket_mode else settings.require_signing_secret(),
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    def storable_text(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        req.body = storable(req.body)  # NUL and lone surrogates, from every way in (bot.slack_text)
        return next()

    register_all(app, services)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        log.exception("listener failed for a %s request", body.get("type") or "command", exc_info=error)
        return BoltResponse(status=200, body="")  # the member sees nothing broken; we see the log

    return app
