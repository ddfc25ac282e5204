"""Settings from the environment and `.env`, checked once at start.

A missing or malformed setting stops the program with one line naming the variable (see `cli.main`),
so an operator never has to read a traceback to find a typo in a token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///remote-wins.db"
DEFAULT_RETENTION_DAYS = 30  # how long an uninstalled workspace's data is kept before the clock deletes it


class ConfigError(Exception):
    """A setting is missing or malformed; the message is the one line shown to the operator."""

    def __init__(self, variable: str, problem: str, expected: str) -> None:
        super().__init__(f"{variable} {problem}: {expected}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    slack_api_url: str
    database_url: str
    port: int
    web_concurrency: int
    log_level: str
    # OAuth (multi-workspace) mode: both set. Neither: single-workspace mode with SLACK_BOT_TOKEN.
    client_id: str | None = None
    client_secret: str | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS

    @property
    def oauth(self) -> bool:
        """OAuth mode: every workspace's token comes from its installation, not SLACK_BOT_TOKEN."""
        return self.client_id is not None

    def require_bot_token(self) -> str:
        return _required("SLACK_BOT_TOKEN", self.bot_token, "your bot token, xoxb-…")

    def require_signing_secret(self) -> str:
        return _required(
            "SLACK_SIGNING_SECRET", self.signing_secret, "the signing secret from Basic Information"
        )

    def require_app_token(self) -> str:
        return _required(
            "SLACK_APP_TOKEN", self.app_token, "an app-level token, xapp-…, with connections:write"
        )

    def __repr__(self) -> str:  # never print secrets, even in a debugger or a log line
        url = _hide_password(self.database_url)
        return f"Settings(slack_api_url={self.slack_api_url!r}, database_url={url!r})"


def _required(name: str, value: str | None, expected: str) -> str:
    if not value:
        raise ConfigError(name, "is not set", f"set it to {expected} in the environment or .env")
    return value


def load_environment(
    env_file: str | Path = ".env", environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Merge `.env` under the real environment: a variable set in the environment wins."""
    merged = (
        {k: v for k, v in dotenv_values(env_file).items() if v is not None} if Path(env_file).exists() else {}
    )
    merged.update(os.environ if environ is None else environ)
    return merged


def settings_from(env: Mapping[str, str]) -> Settings:
    """Parse and check every setting; raise ConfigError naming the first bad one."""
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-")
    app_token = _token(env, "SLACK_APP_TOKEN", "xapp-")
    client_id, client_secret = _oauth_credentials(env)
    return Settings(
        bot_token=bot_token,
        signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        app_token=app_token,
        slack_api_url=_slack_api_url(env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        database_url=database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        port=_int(env, "PORT", 3000, 1, 65535),
        web_concurrency=_int(env, "WEB_CONCURRENCY", 1, 1, 64),
        log_level=_log_level(env.get("LOG_LEVEL") or "INFO"),
        client_id=client_id,
        client_secret=client_secret,
        retention_days=_int(env, "DATA_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 0, 3650),
    )


def load_settings(env_file: str | Path = ".env") -> Settings:
    return settings_from(load_environment(env_file))


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = (env.get(name) or "").strip()
    if value and not value.startswith(prefix):
        raise ConfigError(name, "is malformed", f"it should start with {prefix}")
    return value or None


def _oauth_credentials(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Both OAuth credentials or neither: half a setting names the missing half. OAuth mode takes every
    token from the installations, so a SLACK_BOT_TOKEN beside them would be silently unused: refused."""
    client_id = (env.get("SLACK_CLIENT_ID") or "").strip() or None
    client_secret = (env.get("SLACK_CLIENT_SECRET") or "").strip() or None
    if client_id and not client_secret:
        _required("SLACK_CLIENT_SECRET", None, "the client secret from Basic Information (OAuth mode)")
    if client_secret and not client_id:
        _required("SLACK_CLIENT_ID", None, "the client id from Basic Information (OAuth mode)")
    if client_id and not all(part.isdigit() for part in client_id.split(".")):
        raise ConfigError("SLACK_CLIENT_ID", "is malformed", "it should look like 1234567890.1234567890")
    if client_id and (env.get("SLACK_BOT_TOKEN") or "").strip():
        raise ConfigError(
            "SLACK_BOT_TOKEN",
            "is set with SLACK_CLIENT_ID",
            "leave it empty in OAuth mode, where each workspace's token comes from its installation",
        )
    return client_id, client_secret


def _slack_api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("SLACK_API_URL", "is malformed", "it should look like https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def database_url(value: str) -> str:
    """Accept SQLite and PostgreSQL URLs; rewrite Heroku's `postgres://` to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    if value.startswith(("sqlite://", "postgresql+psycopg://")):
        return value
    raise ConfigError(
        "DATABASE_URL",
        "is malformed",
        "it should look like sqlite:///remote-wins.db or postgresql://user@host/db",
    )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(name, "is malformed", f"it should be a whole number from {low} to {high}")
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LOG_LEVEL", "is malformed", "it should be DEBUG, INFO, WARNING or ERROR")
    return level


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
