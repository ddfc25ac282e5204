"""The settings of the two modes: OAuth needs both credentials and no SLACK_BOT_TOKEN beside them; half a
setting stops the program with one line naming the variable; the retention period has a default."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.workspaces import BOT_SCOPES
from remote_wins.config import DEFAULT_RETENTION_DAYS, ConfigError, settings_from
from tests.remote_wins.test_cli import assert_one_line, remote_wins

ROOT = Path(__file__).resolve().parents[2]
CLIENT = {"SLACK_CLIENT_ID": "1111111111.2222222222", "SLACK_CLIENT_SECRET": "0123456789abcdefSECRET"}


def refused(env: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_from(env)
    return caught.value


def test_single_workspace_mode_is_the_default_and_needs_no_oauth_setting() -> None:
    settings = settings_from({"SLACK_BOT_TOKEN": "xoxb-1-2-abc"})
    assert not settings.oauth and settings.client_id is None and settings.client_secret is None
    assert settings.retention_days == DEFAULT_RETENTION_DAYS == 30


def test_both_credentials_turn_oauth_mode_on() -> None:
    settings = settings_from(CLIENT | {"DATA_RETENTION_DAYS": "7"})
    assert settings.oauth and settings.client_id == CLIENT["SLACK_CLIENT_ID"] and settings.retention_days == 7
    assert "SECRET" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_CLIENT_ID": CLIENT["SLACK_CLIENT_ID"]}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_SECRET": CLIENT["SLACK_CLIENT_SECRET"]}, "SLACK_CLIENT_ID"),
        ({**CLIENT, "SLACK_CLIENT_ID": "my-app"}, "SLACK_CLIENT_ID"),
        ({**CLIENT, "SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, "SLACK_BOT_TOKEN"),
        ({"DATA_RETENTION_DAYS": "a month"}, "DATA_RETENTION_DAYS"),
        ({"DATA_RETENTION_DAYS": "-1"}, "DATA_RETENTION_DAYS"),
    ],
)
def test_half_or_clashing_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    error = refused(env)
    assert error.variable == variable
    assert CLIENT["SLACK_CLIENT_SECRET"] not in str(error) and "xoxb-1-2-abc" not in str(error)


def test_the_program_stops_with_one_line_naming_the_missing_half(tmp_path: Path) -> None:
    run = remote_wins("serve", cwd=tmp_path, env={"SLACK_CLIENT_ID": CLIENT["SLACK_CLIENT_ID"]})
    assert_one_line(run, "SLACK_CLIENT_SECRET is not set")


def test_an_install_asks_for_exactly_the_manifests_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_the_manifest_has_the_redirect_url_and_subscribes_to_uninstalls() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://YOUR-APP-HOST.example.com/slack/oauth_redirect"
    ]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_env_example_lists_the_new_settings() -> None:
    listed = (ROOT / ".env.example").read_text()
    for variable in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "DATA_RETENTION_DAYS"):
        assert f"\n{variable}=" in listed


def test_rotating_tokens_and_refresh_tokens_are_never_logged() -> None:
    from remote_wins.logs import RedactSecrets

    line = RedactSecrets([CLIENT["SLACK_CLIENT_SECRET"]]).redact(
        f"token xoxe.xoxb-TA-1-abcdef refresh xoxe-1-0123456789 secret {CLIENT['SLACK_CLIENT_SECRET']}"
    )
    assert "abcdef" not in line and "0123456789" not in line and CLIENT["SLACK_CLIENT_SECRET"] not in line
