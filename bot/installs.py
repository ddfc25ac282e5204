"""Installing and uninstalling: the OAuth flow's wiring, the refusal of workspaces the app doesn't serve,
and what an uninstall stops.

- OAuth mode: Bolt serves the install link (`INSTALL_PATH`) and the redirect (`REDIRECT_PATH`); the
  installation (tokens, rotation) goes to slack_sdk's SQLAlchemy store on our database
  (storage/installations.py) and the workspace is served again if it had uninstalled the app.
- Every request's `team_id` is checked before anything else (`refuse_unserved`, ahead of Bolt's
  authorization): a workspace with no installation, or in single-workspace mode any workspace but the
  token's, gets a short answer and nothing is stored or asked of Slack.
- `app_uninstalled`, and `tokens_revoked` for the bot's tokens, stop every delivery to the workspace
  in the listener itself, before the ack, and delete its tokens (storage/workspaces.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.services import Services
from bot.workspaces import BOT_SCOPES, ROTATE_BEFORE_MINUTES, InstalledWorkspaces, copy_client
from remote_wins.config import Settings
from storage.installations import installation_store, state_store
from storage.workspaces import mark_installed, mark_uninstalled

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
NOT_SERVED = (
    ":warning: remote-wins isn't installed in this workspace, so nothing was saved. "
    "A workspace admin can install it from the app's install link."
)
NO_AUTH_TYPES = ("url_verification", "ssl_check")  # Slack's checks of the URL carry no workspace
log = logging.getLogger(__name__)


def oauth_flow(settings: Settings, services: Services) -> OAuthFlow:
    """Bolt's OAuth flow on our stores; a completed install marks the workspace served."""
    assert settings.client_id and settings.client_secret and isinstance(services.slack, InstalledWorkspaces)

    def installed(args: SuccessArgs) -> BoltResponse:
        team_id = args.installation.team_id
        if team_id:
            with services.writing(), services.sessions.begin() as session:
                mark_installed(session, team_id, services.clock())
            log.info("installed in workspace %s", team_id)
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        log.warning("an install did not complete: %s", args.reason)
        return args.default.failure(args)

    return OAuthFlow(
        client=copy_client(services.client, None),
        settings=OAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(BOT_SCOPES),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=installation_store(services.engine, settings.client_id),
            installation_store_bot_only=True,
            state_store=state_store(services.engine),
            token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
            callback_options=CallbackOptions(success=installed, failure=failed),
        ),
    )


def refuse_unserved(services: Services) -> Callable[..., BoltResponse]:
    """Bolt middleware, run before authorization: a request from a workspace the app doesn't serve is
    answered here (a command's ack says so; anything else gets an empty 200, so Slack doesn't retry)."""

    def check(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body: dict[str, Any] = req.body or {}
        if body.get("type") in NO_AUTH_TYPES or _is_uninstall(body):
            return next()
        team_id = req.context.team_id
        assert services.slack is not None
        if services.slack.serves(team_id):
            return next()
        log.warning("refused a request from workspace %s, which this app doesn't serve", team_id)
        if body.get("command"):
            return BoltResponse(status=200, body=NOT_SERVED)
        return BoltResponse(status=200, body="")

    return check


def _is_uninstall(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return isinstance(event, dict) and event.get("type") in ("app_uninstalled", "tokens_revoked")


def stop_workspace(services: Services, team_id: str, why: str) -> None:
    """Nothing more goes to the workspace, from this instant, and its tokens are gone; its data waits for
    the retention period (the clock's purge)."""
    with services.writing(), services.sessions.begin() as session:
        first = mark_uninstalled(session, team_id, services.clock())
    if first:
        log.warning(
            "workspace %s: %s; nothing more is sent to it, and its data is deleted in %d days",
            team_id,
            why,
            services.retention_days,
        )
