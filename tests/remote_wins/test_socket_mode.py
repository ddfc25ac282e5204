"""`remote-wins socket` as a real process: it opens the WebSocket Slack gives, acks a command, saves the win.

`remote-wins socket` without SLACK_APP_TOKEN is covered in test_cli.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.support import wait_until

USER = "USOCK"


@pytest.fixture
def socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as server:
        fake_slack.socket_mode_url = server.url
        yield server


@pytest.fixture
def env(tmp_path: Path, fake_slack: FakeSlack) -> dict[str, str]:
    """No SLACK_SIGNING_SECRET: Socket Mode has no requests to verify."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
        "SLACK_API_URL": fake_slack.api_url,
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
    return env


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "socket.log"


@pytest.fixture
def app(env: dict[str, str], tmp_path: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "remote_wins.cli", "socket"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wins_in(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    query = text("SELECT m.user_id, m.tz, w.text FROM wins w JOIN members m ON m.id = w.member_id")
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    engine.dispose()
    return rows


def slash_command(fake: FakeSlack, command_text: str) -> dict[str, str]:
    """The payload of a slash_commands envelope: the same fields as the HTTP form, as strings."""
    return {
        "token": "legacy-unused",
        "team_id": fake.team_id,
        "team_domain": "acme",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": USER,
        "user_name": "kenji",
        "command": "/remote-win",
        "text": command_text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": fake.new_response_url(),
        "trigger_id": "trigger-socket-1",
    }


def test_a_slash_command_over_socket_mode_is_acked_with_the_saved_answer_and_stored(
    fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
    app: subprocess.Popen[bytes],
    env: dict[str, str],
    log: Path,
) -> None:
    fake_slack.add_user(USER, tz="Asia/Tokyo", name="kenji")

    def connected() -> bool:
        assert app.poll() is None, f"remote-wins socket exited with {app.returncode}:\n{log.read_text()}"
        return socket_mode.connections > 0

    try:
        wait_until(connected, timeout=10, what="remote-wins socket to open the WebSocket")
    except AssertionError as error:
        raise AssertionError(f"{error}; its log:\n{log.read_text()}") from None
    opens = fake_slack.calls_to("apps.connections.open")
    assert [call.headers.get("authorization") for call in opens] == [f"Bearer {fake_slack.app_token}"]

    envelope_id = socket_mode.send_slash_command(slash_command(fake_slack, "shipped over a socket"))
    ack = socket_mode.wait_for_ack(envelope_id, timeout=5)

    assert ack is not None, f"no ack for {envelope_id}; the app sent {socket_mode.acks}:\n{log.read_text()}"
    payload = ack.get("payload") or {}
    assert payload.get("response_type") == "ephemeral", ack
    assert payload["text"].startswith("Saved win #"), ack
    blocks = str(payload.get("blocks"))
    assert "shipped over a socket" in blocks, ack
    buttons = [e["text"]["text"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Undo", "Edit"], ack
    assert wins_in(env["DATABASE_URL"]) == [(USER, "Asia/Tokyo", "shipped over a socket")], log.read_text()
    assert fake_slack.responses == [], "the answer went in the ack, not to the response_url"
    assert app.poll() is None, log.read_text()
    assert "Traceback" not in log.read_text()
