"""`remote-wins socket` as a real process: it opens the WebSocket Slack gives, acks a command, saves the win,
answers a DM, and runs the clock (the prompts of an install with no web process) until it is stopped.

`remote-wins socket` without SLACK_APP_TOKEN is covered in test_cli.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.services import Services
from jobs.clock import tick_instant
from rules.calendar import utc_now
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.jobs.test_clock import add_member_due, ledger_statuses, prompts_to, recipients
from tests.support import CliProcess, wait_until

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
def socket_log(tmp_path: Path) -> Path:
    return tmp_path / "socket.log"


@pytest.fixture
def app(env: dict[str, str], tmp_path: Path, socket_log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with socket_log.open("ab") as out:
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
    socket_log: Path,
) -> None:
    fake_slack.add_user(USER, tz="Asia/Tokyo", name="kenji")

    def connected() -> bool:
        assert app.poll() is None, (
            f"remote-wins socket exited with {app.returncode}:\n{socket_log.read_text()}"
        )
        return socket_mode.connections > 0

    try:
        wait_until(connected, timeout=10, what="remote-wins socket to open the WebSocket")
    except AssertionError as error:
        raise AssertionError(f"{error}; its log:\n{socket_log.read_text()}") from None
    opens = fake_slack.calls_to("apps.connections.open")
    assert [call.headers.get("authorization") for call in opens] == [f"Bearer {fake_slack.app_token}"]

    envelope_id = socket_mode.send_slash_command(slash_command(fake_slack, "shipped over a socket"))
    ack = socket_mode.wait_for_ack(envelope_id, timeout=5)

    assert ack is not None, (
        f"no ack for {envelope_id}; the app sent {socket_mode.acks}:\n{socket_log.read_text()}"
    )
    payload = ack.get("payload") or {}
    assert payload.get("response_type") == "ephemeral", ack
    assert payload["text"].startswith("Saved win #"), ack
    blocks = str(payload.get("blocks"))
    assert "shipped over a socket" in blocks, ack
    buttons = [e["text"]["text"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Undo", "Edit"], ack
    assert wins_in(env["DATABASE_URL"]) == [(USER, "Asia/Tokyo", "shipped over a socket")], (
        socket_log.read_text()
    )
    assert fake_slack.responses == [], "the answer went in the ack, not to the response_url"
    assert app.poll() is None, socket_log.read_text()
    assert "Traceback" not in socket_log.read_text()


def test_a_direct_message_over_socket_mode_is_acked_saved_and_answered_in_the_dm(
    fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
    app: subprocess.Popen[bytes],
    env: dict[str, str],
    socket_log: Path,
) -> None:
    fake_slack.add_user(USER, tz="Asia/Tokyo", name="kenji")
    dm_channel = fake_slack._dm(USER)  # the fake has no public way to open a DM (conversations.open)
    wait_until(lambda: socket_mode.connections > 0, timeout=10, what="remote-wins socket to connect")
    event = {
        "type": "message",
        "channel": dm_channel,
        "user": USER,
        "text": "shipped from a DM",
        "ts": "1790000000.000100",
        "event_ts": "1790000000.000100",
        "channel_type": "im",
    }
    body = {
        "token": "legacy-unused",
        "team_id": fake_slack.team_id,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1790000000,
        "event": event,
    }
    envelope_id = socket_mode.send_event(body)
    assert socket_mode.wait_for_ack(envelope_id, timeout=5) is not None, socket_log.read_text()

    def answered() -> list[str | None]:
        return [m.text for m in fake_slack.messages if m.channel == dm_channel]

    [text] = wait_until(answered, timeout=10, what=f"the answer in the DM; log:\n{socket_log.read_text()}")
    assert text is not None and text.startswith("Saved win #"), text
    assert wins_in(env["DATABASE_URL"]) == [(USER, "Asia/Tokyo", "shipped from a DM")]
    assert "Traceback" not in socket_log.read_text()


# -- the clock inside `remote-wins socket` --------------------------------------------------------------


@pytest.fixture
def socket_env(tmp_path: Path, fake_slack: FakeSlack, database_url: str) -> dict[str, str]:
    """The test's migrated database, on SQLite or PostgreSQL."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
    }


def test_socket_mode_sends_a_due_prompt_from_its_clock_and_stops_it_on_sigterm(
    fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
    socket_env: dict[str, str],
    services: Services,
    tmp_path: Path,
    processes: list[CliProcess],
) -> None:
    """On either backend no other process would send the prompts of a Socket Mode install."""
    add_member_due(services, fake_slack, "U500", tick_instant(utc_now()))
    app = CliProcess(socket_env, tmp_path, "socket", "socket")
    processes.append(app)

    wait_until(lambda: prompts_to(fake_slack, "U500"), timeout=20, what=f"the prompt; log:\n{app.output()}")
    app.wait_for("clock: tick at")
    assert socket_mode.open_connections == 1
    assert app.stop(signal.SIGTERM) == 0
    assert prompts_to(fake_slack, "U500") == 1
    assert ledger_statuses(services) == Counter({"sent": 1})
    log = app.output()
    assert "clock: leading" in log and "SIGTERM received" in log and "clock: stopped; released" in log
    assert socket_mode.open_connections == 0
    assert "Traceback" not in log and fake_slack.bot_token not in log and fake_slack.app_token not in log


def test_socket_mode_beside_a_leading_clock_stands_by_and_the_prompt_goes_once(
    fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
    socket_env: dict[str, str],
    services: Services,
    tmp_path: Path,
    processes: list[CliProcess],
) -> None:
    """With PostgreSQL a `remote-wins clock` (the Procfile's) may already tick; with SQLite, a `serve`'s
    clock may. The socket process's clock then waits (taking over is tests/jobs/test_clock.py's)."""
    clock = CliProcess(socket_env, tmp_path, "clock", "clock", "--interval-seconds", "1")
    processes.append(clock)
    clock.wait_for("clock: leading")
    app = CliProcess(socket_env, tmp_path, "socket", "socket")
    processes.append(app)
    app.wait_for("clock: standby")

    add_member_due(services, fake_slack, "U501", tick_instant(utc_now()))
    wait_until(lambda: prompts_to(fake_slack, "U501"), timeout=10, what="the leading clock's prompt")
    clock.wait_for("sent 1")
    assert app.stop(signal.SIGINT) == 0  # Ctrl-C stops it as cleanly as SIGTERM
    assert clock.stop() == 0
    assert recipients(fake_slack) == Counter({"U501": 1})
    log = app.output()
    assert "clock: tick at" not in log and "SIGINT received" in log
    assert "Traceback" not in log and socket_mode.open_connections == 0
