"""Which workspaces the app serves, and a Slack client for each: built per workspace, never shared.

Two modes (remote_wins.config):

- single workspace (`SLACK_BOT_TOKEN`): the token's own workspace, as `auth.test` names it, is the only
  one served; a request or a delivery for any other team is refused (`NotInstalled`), so a foreign
  `team_id` is never stored and never called about with this workspace's token;
- OAuth (`SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET`): each workspace's bot token comes from its
  installation (storage/installations.py), read at each use so that an uninstall in another process
  stops this one at once. An expiring token (token rotation) is refreshed first, under a lock per
  workspace, and saved; if another process rotated it first (Slack revokes a refresh token once used),
  the token it saved is used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.orm import Session, sessionmaker

from storage.installations import latest_bot

# The manifest's bot scopes (manifest.yml, checked by tests/test_manifest.py): what an install asks for.
BOT_SCOPES = ("commands", "chat:write", "users:read", "files:write", "im:history")
ROTATE_BEFORE_MINUTES = 120  # refresh a rotating token this long before it expires (Bolt's default)
log = logging.getLogger(__name__)


class NotInstalled(Exception):
    """The app is not installed in this workspace (or not any more): nothing is sent or stored for it."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__(f"the app is not installed in workspace {team_id}")
        self.team_id = team_id


class SlackClients(Protocol):
    """A Web API client per workspace."""

    def client_for(self, team_id: str | None) -> WebClient:
        """The workspace's client; raises NotInstalled for a workspace the app does not serve."""
        ...

    def serves(self, team_id: str | None) -> bool:
        """Whether requests from this workspace are taken at all."""
        ...


def copy_client(base: WebClient, token: str | None, **overrides: Any) -> WebClient:
    """`base`'s URL, timeout, proxy and retry handlers with another token (and any `overrides`)."""
    options: dict[str, Any] = {
        "token": token,
        "base_url": base.base_url,
        "timeout": base.timeout,
        "ssl": base.ssl,
        "proxy": base.proxy,
        "logger": base.logger,
        "retry_handlers": list(base.retry_handlers),
    }
    return WebClient(**(options | overrides))


class SingleWorkspace:
    """SLACK_BOT_TOKEN's workspace only. Its team id comes from `auth.test`, asked once; `on_verified` is
    then told it: a token Slack accepts means the app is installed there (again, after an uninstall
    and a new token)."""

    def __init__(self, client: WebClient, on_verified: Callable[[str], None] | None = None) -> None:
        self.client = client
        self._on_verified = on_verified
        self._team_id: str | None = None
        self._lock = threading.Lock()

    @property
    def team_id(self) -> str:
        with self._lock:
            if self._team_id is None:
                team_id = str(self.client.auth_test()["team_id"])
                if self._on_verified is not None:
                    self._on_verified(team_id)
                self._team_id = team_id
            return self._team_id

    def serves(self, team_id: str | None) -> bool:
        return team_id is not None and team_id == self.team_id

    def client_for(self, team_id: str | None) -> WebClient:
        if not self.serves(team_id):
            raise NotInstalled(team_id)
        return self.client


class InstalledWorkspaces:
    """OAuth mode: each workspace's client from its installation, refreshed when its token expires."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client_id: str,
        client_secret: str,
        base: WebClient,
        *,
        save_bot: Callable[[Bot], None],
    ) -> None:
        self.client_id, self.base, self._sessions, self._save_bot = client_id, base, sessions, save_bot
        self._rotator = TokenRotator(
            client_id=client_id, client_secret=client_secret, client=copy_client(base, None)
        )
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def serves(self, team_id: str | None) -> bool:
        return team_id is not None and self._find(team_id) is not None

    def client_for(self, team_id: str | None) -> WebClient:
        return copy_client(self.base, self.bot_for(team_id).bot_token)

    def bot_for(self, team_id: str | None) -> Bot:
        """The workspace's bot installation with a token good for a while; NotInstalled if it has none
        (or its refresh token no longer works: the workspace has to install again)."""
        bot = self._find(team_id) if team_id else None
        if bot is None:
            raise NotInstalled(team_id)
        if not _expiring(bot):
            return bot
        with self._lock_of(bot.team_id or ""):
            bot = self._find(team_id)  # another thread may have rotated it while this one waited
            if bot is None:
                raise NotInstalled(team_id)
            if not _expiring(bot):
                return bot
            try:
                refreshed = self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
                )
            except (SlackTokenRotationError, SlackApiError, SlackClientError, OSError) as error:
                again = self._find(team_id)  # another process may have rotated it (and spent the refresh)
                if again is not None and again.bot_token != bot.bot_token and not _expired(again):
                    return again
                log.warning("token rotation failed for workspace %s: %s", team_id, type(error).__name__)
                if _expired(bot):
                    raise NotInstalled(team_id) from None
                return bot  # still good for a little while; the next use tries again
            if refreshed is None:
                return bot
            self._save_bot(refreshed)
            return refreshed

    def _find(self, team_id: str | None) -> Bot | None:
        with self._sessions() as session:
            return latest_bot(session, self.client_id, team_id or "")

    def _lock_of(self, team_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(team_id, threading.Lock())


def _expiring(bot: Bot) -> bool:
    expires_at = bot.bot_token_expires_at
    return expires_at is not None and expires_at <= time.time() + ROTATE_BEFORE_MINUTES * 60


def _expired(bot: Bot) -> bool:
    return bot.bot_token_expires_at is not None and bot.bot_token_expires_at <= time.time()


class InstallationAuthorize(Authorize):
    """Bolt's authorize for OAuth mode, from the same installations (and rotation) as the clock's sends:
    no `auth.test` per request, since the installation already names the bot."""

    def __init__(self, workspaces: InstalledWorkspaces) -> None:
        self.workspaces = workspaces

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult | None:
        try:
            bot = self.workspaces.bot_for(team_id)
        except NotInstalled:
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
