"""Wiring: the Bolt app with every listener registered. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.installs import NOT_SERVED, oauth_flow, refuse_unserved
from bot.listeners import register_all
from bot.services import Services
from bot.slack_client import web_client
from bot.slack_text import storable
from bot.workspaces import InstallationAuthorize, InstalledWorkspaces, SingleWorkspace
from remote_wins.config import Settings
from storage.db import create_db_engine, session_factory
from storage.installations import installation_store
from storage.schema import ensure_current
from storage.workspaces import mark_served

log = logging.getLogger(__name__)


def build_services(settings: Settings) -> Services:
    """Engine, sessions and the Slack clients (one per workspace: bot.workspaces); refuses a database
    whose schema is behind the code."""
    engine = create_db_engine(settings.database_url)
    ensure_current(engine)
    sessions, client = session_factory(engine), web_client(settings)

    def served_again(team_id: str) -> None:
        with sessions.begin() as session:
            mark_served(session, team_id)

    slack: SingleWorkspace | InstalledWorkspaces = SingleWorkspace(client, on_verified=served_again)
    if settings.oauth:
        assert settings.client_id and settings.client_secret
        store = installation_store(engine, settings.client_id)
        slack = InstalledWorkspaces(
            sessions, settings.client_id, settings.client_secret, client, save_bot=store.save_bot
        )
    return Services(
        engine=engine,
        sessions=sessions,
        client=client,
        slack=slack,
        retention_days=settings.retention_days,
    )


def create_app(settings: Settings, services: Services, *, socket_mode: bool = False) -> App:
    """The Bolt app. It acks from the listener itself (`process_before_response`), so it never polls.
    In OAuth mode it also serves the install link and the redirect (bot.installs)."""
    oauth: dict[str, Any] = {}
    if isinstance(services.slack, InstalledWorkspaces):
        oauth = {
            "oauth_flow": oauth_flow(settings, services),
            "authorize": InstallationAuthorize(services.slack),
            "installation_store_bot_only": True,
            "user_facing_authorize_error_message": NOT_SERVED,
        }
    app = App(
        client=services.client,
        signing_secret=None if socket_mode else settings.require_signing_secret(),
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        before_authorize=refuse_unserved(services),
        **oauth,
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
