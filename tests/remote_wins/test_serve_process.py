"""`remote-wins serve` as a real process under gunicorn: it answers, and a win acked survives a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, free_port, wait_until

SECRET = "process-test-secret"


class Server:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd, self.process = env, cwd, None
        self.url = f"http://127.0.0.1:{env['PORT']}"

    def start(self) -> Server:
        command = [sys.executable, "-m", "remote_wins.cli", "serve"]
        with (self.cwd / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.cwd, stderr=log, start_new_session=True
            )
        wait_until(self.healthy, timeout=20, what="the server to answer /healthz")
        return self

    def healthy(self) -> bool:
        assert self.process.poll() is None, (self.cwd / "server.log").read_text()
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)  # the gunicorn master and its workers
        self.process.wait(timeout=10)


@pytest.fixture
def server_env(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[dict[str, str]]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/served.db",
        "PORT": str(free_port()),
    }
    subprocess.run(
        [sys.executable, "-m", "remote_wins.cli", "db", "upgrade"], env=env, cwd=tmp_path, check=True
    )
    yield env


def wins_in(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        texts = [row[0] for row in connection.execute(text("SELECT text FROM wins ORDER BY id"))]
    engine.dispose()
    return texts


def test_a_win_acked_before_a_kill_is_there_after_the_restart(
    server_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    server = Server(server_env, tmp_path).start()
    try:
        slack = SlackRequests(f"{server.url}/slack/events", SECRET, fake_slack)
        reply = slack.command("survives a crash")
        assert reply.status == 200 and "Saved" in reply.json()["text"]
        server.kill()  # SIGKILL right after the ack: no shutdown hook runs
        server.start()
        assert wins_in(server_env["DATABASE_URL"]) == ["survives a crash"]
        assert slack.command("and life goes on").status == 200
        assert (
            slack.post(
                slack.command_body("forged"), "application/x-www-form-urlencoded", signature="v0=bad"
            ).status
            == 401
        )
        assert wins_in(server_env["DATABASE_URL"]) == ["survives a crash", "and life goes on"]
    finally:
        server.kill()


def test_serve_uses_gunicorn_not_a_development_server(
    server_env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    server = Server(server_env, tmp_path).start()
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
            assert response.headers["Server"].startswith("gunicorn")
    finally:
        server.kill()
