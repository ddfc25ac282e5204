"""Settings from the environment and `.env`: defaults, checks that name the variable, no secret in repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from remote_wins.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_URL,
    ConfigError,
    Settings,
    load_environment,
    settings_from,
)

BOT_TOKEN = "xoxb-1111-2222-abcdefSECRET"
APP_TOKEN = "xapp-1-A111-3333-ghijklSECRET"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


def config_error(env: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_from(env)
    return caught.value


def test_defaults_use_sqlite_slack_and_port_3000() -> None:
    settings = settings_from({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite:///")
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.web_concurrency == 1
    assert settings.log_level == "INFO"


def test_no_tokens_or_secret_by_default() -> None:
    settings = settings_from({})
    assert (settings.bot_token, settings.app_token, settings.signing_secret) == (None, None, None)


def test_empty_values_count_as_unset() -> None:
    settings = settings_from({"SLACK_BOT_TOKEN": "", "PORT": "", "DATABASE_URL": "", "LOG_LEVEL": ""})
    assert settings.bot_token is None
    assert settings.port == 3000
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.log_level == "INFO"


def test_tokens_and_secret_are_read() -> None:
    settings = settings_from(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    )
    assert (settings.bot_token, settings.app_token, settings.signing_secret) == (
        BOT_TOKEN,
        APP_TOKEN,
        SIGNING_SECRET,
    )


def test_surrounding_whitespace_around_a_token_is_ignored() -> None:
    assert settings_from({"SLACK_BOT_TOKEN": f"  {BOT_TOKEN}\n"}).bot_token == BOT_TOKEN


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-1111-user-token"),
        ("SLACK_BOT_TOKEN", APP_TOKEN),
        ("SLACK_BOT_TOKEN", "abc123"),
        ("SLACK_APP_TOKEN", BOT_TOKEN),
        ("SLACK_APP_TOKEN", "app-token"),
    ],
)
def test_a_token_with_the_wrong_prefix_names_the_variable(variable: str, value: str) -> None:
    error = config_error({variable: value})
    assert error.variable == variable
    assert str(error).startswith(f"{variable} is malformed")


def test_a_malformed_token_is_not_echoed_in_the_error() -> None:
    error = config_error({"SLACK_BOT_TOKEN": "xoxp-1111-user-SECRET"})
    assert "SECRET" not in str(error)


@pytest.mark.parametrize("port", ["abc", "3000.5", "0", "-1", "65536"])
def test_a_bad_port_names_port(port: str) -> None:
    error = config_error({"PORT": port})
    assert error.variable == "PORT"
    assert "PORT" in str(error)
    assert "1 to 65535" in str(error)


@pytest.mark.parametrize("port", ["1", "8080", "65535"])
def test_a_port_in_range_is_used(port: str) -> None:
    assert settings_from({"PORT": port}).port == int(port)


def test_web_concurrency_out_of_range_names_it() -> None:
    assert config_error({"WEB_CONCURRENCY": "0"}).variable == "WEB_CONCURRENCY"


@pytest.mark.parametrize(
    "url", ["postgres://u:pw@db.example.com:5432/wins", "postgresql://u:pw@db.example.com:5432/wins"]
)
def test_postgres_urls_are_rewritten_to_psycopg(url: str) -> None:
    assert settings_from({"DATABASE_URL": url}).database_url == (
        "postgresql+psycopg://u:pw@db.example.com:5432/wins"
    )


@pytest.mark.parametrize(
    "url", ["sqlite:////var/lib/remote-wins.db", "sqlite://", "postgresql+psycopg://u@h/db"]
)
def test_supported_database_urls_are_kept(url: str) -> None:
    assert settings_from({"DATABASE_URL": url}).database_url == url


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql://u@h/db", "remote-wins.db", "postgresql+psycopg2://u@h/db"]
)
def test_an_unsupported_database_url_names_database_url(url: str) -> None:
    error = config_error({"DATABASE_URL": url})
    assert error.variable == "DATABASE_URL"
    assert str(error).startswith("DATABASE_URL is malformed")


@pytest.mark.parametrize("url", ["slack.com/api/", "ftp://slack.com/api/", "https://"])
def test_a_slack_api_url_without_http_scheme_and_host_is_rejected(url: str) -> None:
    error = config_error({"SLACK_API_URL": url})
    assert error.variable == "SLACK_API_URL"


def test_a_trailing_slash_is_added_to_the_slack_api_url() -> None:
    assert (
        settings_from({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == "http://127.0.0.1:9/api/"
    )


def test_a_slack_api_url_with_a_trailing_slash_is_kept() -> None:
    assert (
        settings_from({"SLACK_API_URL": "http://127.0.0.1:9/api/"}).slack_api_url == "http://127.0.0.1:9/api/"
    )


@pytest.mark.parametrize(("value", "level"), [("debug", "DEBUG"), ("Warning", "WARNING"), ("ERROR", "ERROR")])
def test_log_level_is_case_insensitive(value: str, level: str) -> None:
    assert settings_from({"LOG_LEVEL": value}).log_level == level


@pytest.mark.parametrize("value", ["TRACE", "verbose", "10"])
def test_an_unknown_log_level_names_log_level(value: str) -> None:
    assert config_error({"LOG_LEVEL": value}).variable == "LOG_LEVEL"


@pytest.mark.parametrize(
    ("method", "variable"),
    [
        (Settings.require_bot_token, "SLACK_BOT_TOKEN"),
        (Settings.require_signing_secret, "SLACK_SIGNING_SECRET"),
        (Settings.require_app_token, "SLACK_APP_TOKEN"),
    ],
)
def test_require_raises_a_config_error_naming_the_missing_variable(method, variable: str) -> None:
    settings = settings_from({})
    with pytest.raises(ConfigError) as caught:
        method(settings)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable} is not set")


def test_require_returns_the_value_when_set() -> None:
    settings = settings_from(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    )
    assert settings.require_bot_token() == BOT_TOKEN
    assert settings.require_app_token() == APP_TOKEN
    assert settings.require_signing_secret() == SIGNING_SECRET


def test_repr_shows_no_token_or_secret() -> None:
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "DATABASE_URL": "postgres://wins:hunter2pw@db.example.com/wins",
        }
    )
    shown = f"{settings!r} {settings!s} {[settings]}"
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, "SECRET", "hunter2pw"):
        assert secret not in shown
    assert "db.example.com" in shown


def test_load_environment_reads_dot_env(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"# local settings\nSLACK_BOT_TOKEN={BOT_TOKEN}\nPORT=4000\n")
    merged = load_environment(env_file, environ={})
    assert merged["SLACK_BOT_TOKEN"] == BOT_TOKEN
    assert settings_from(merged).port == 4000


def test_load_environment_without_a_dot_env_uses_the_environment(tmp_path: Path) -> None:
    merged = load_environment(tmp_path / ".env", environ={"PORT": "4001"})
    assert merged == {"PORT": "4001"}


def test_the_real_environment_wins_over_dot_env(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\n")
    merged = load_environment(env_file, environ={"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert merged["SLACK_BOT_TOKEN"] == BOT_TOKEN
    assert merged["PORT"] == "4000"
