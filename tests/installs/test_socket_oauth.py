"""`remote-wins socket` in OAuth mode: no SLACK_BOT_TOKEN, it serves the workspaces already installed,
each with its own token from the installation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from storage.db import create_db_engine
from storage.installations import installation_store
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.installs.conftest import CLIENT_ID, CLIENT_SECRET, token_team

# The socket process and its log are test_socket_mode's fixtures, run here with this module's `env`.
from tests.remote_wins.test_socket_mode import app, slash_command, socket_log, socket_mode, wins_in  # noqa: F401
from tests.support import wait_until

LINK = (
    f"https://slack.com/oauth/v2/authorize?state=s&client_id={CLIENT_ID}&scope=commands,chat:write,users:read"
)


@pytest.fixture
def env(tmp_path: Path, oauth_fake: FakeSlack) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_APP_TOKEN": oauth_fake.app_token,
        "SLACK_API_URL": oauth_fake.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/socket.db",
    }
    subprocess.run(
        [sys.executable, "-m", "remote_wins.cli", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    grant = WebClient(base_url=oauth_fake.api_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=oauth_fake.approve(LINK, "TA")["code"]
    )
    engine = create_db_engine(env["DATABASE_URL"])
    installation_store(engine, CLIENT_ID).save(
        Installation(
            app_id=grant["app_id"],
            team_id="TA",
            bot_token=grant["access_token"],
            bot_refresh_token=grant["refresh_token"],
            bot_token_expires_in=grant["expires_in"],
            bot_id="BBOT",
            bot_user_id=grant["bot_user_id"],
            bot_scopes=grant["scope"],
            user_id="U1",
        )
    )
    engine.dispose()
    return env


def test_socket_mode_serves_an_installed_workspace_with_its_own_token(
    oauth_fake: FakeSlack,
    socket_mode: FakeSocketMode,  # noqa: F811
    app: subprocess.Popen[bytes],  # noqa: F811
    env: dict[str, str],
    socket_log: Path,  # noqa: F811
) -> None:
    wait_until(lambda: socket_mode.connections > 0, timeout=10, what="remote-wins socket to connect")
    command = slash_command(oauth_fake, "shipped over a socket") | {"team_id": "TA", "user_id": "U1"}
    ack = socket_mode.wait_for_ack(socket_mode.send_slash_command(command), timeout=5)
    assert ack is not None and ack["payload"]["text"].startswith("Saved win #"), socket_log.read_text()
    assert wins_in(env["DATABASE_URL"]) == [("U1", "Europe/Berlin", "shipped over a socket")]
    assert [token_team(oauth_fake, call) for call in oauth_fake.calls_to("users.info")] == ["TA"]
    foreign = slash_command(oauth_fake, "not installed") | {"team_id": "TB", "user_id": "U1"}
    ack = socket_mode.wait_for_ack(socket_mode.send_slash_command(foreign), timeout=5)
    assert ack is not None and "isn't installed" in str(ack), ack
    assert len(wins_in(env["DATABASE_URL"])) == 1
    assert "Traceback" not in socket_log.read_text()
