"""The real `remote-wins` console script, run as a subprocess in an empty folder with a minimal environment.

An operator with a missing or malformed setting must get exit status 2 and one line naming the variable,
never a traceback.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.schema import head_revision
from tests.fake_slack import FakeSlack
from tests.support import free_port

BOT_TOKEN = "xoxb-1111-2222-abcdef"
APP_TOKEN = "xapp-1-A111-3333-ghijkl"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
NO_SLACK = "http://127.0.0.1:9/api/"  # nothing listens on the discard port: no call can reach slack.com
TIMEOUT = 60


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def remote_wins(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """`remote-wins ARGS` with only the basics of the environment plus `env`; killed if it hangs."""
    basics = {k: os.environ[k] for k in ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP") if k in os.environ}
    full_env = {**basics, "HOME": str(cwd), "PYTHONIOENCODING": "utf-8", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "remote_wins.cli", *args],
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so a hung server and its workers can be killed together
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired as timeout:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        what = f"remote-wins {' '.join(args)}"
        raise AssertionError(f"{what} still running after {TIMEOUT}s: {err[-2000:]!r}") from timeout
    return Run(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated by `remote-wins db upgrade` itself, copied by `migrated_db`."""
    folder = tmp_path_factory.mktemp("cli-template")
    path = folder / "template.db"
    run = remote_wins("db", "upgrade", cwd=folder, env={"DATABASE_URL": sqlite_url(path)})
    assert run.returncode == 0, run.stderr
    return path


@pytest.fixture
def migrated_db(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "migrated.db"
    shutil.copy(migrated_template, path)
    return sqlite_url(path)


def assert_one_line(run: Run, *needles: str) -> str:
    """Exit status 2, no traceback, and stderr is exactly one `remote-wins:` line holding every needle."""
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.lines) == 1, run.stderr
    (line,) = run.lines
    assert line.startswith("remote-wins: ")
    for needle in needles:
        assert needle in line
    return line


def assert_last_line(run: Run, *needles: str) -> str:
    """Exit status 2, no traceback, and the last line of stderr holds every needle."""
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    line = run.lines[-1]
    assert line.startswith("remote-wins: ")
    for needle in needles:
        assert needle in line
    return line


def test_serve_without_a_bot_token_names_it_before_touching_the_database(tmp_path: Path) -> None:
    run = remote_wins("serve", cwd=tmp_path)
    assert_last_line(run, "SLACK_BOT_TOKEN")
    assert not (tmp_path / "remote-wins.db").exists()


def test_serve_without_a_bot_token_prints_exactly_one_line(tmp_path: Path, migrated_db: str) -> None:
    run = remote_wins("serve", cwd=tmp_path, env={"DATABASE_URL": migrated_db})
    assert_one_line(run, "SLACK_BOT_TOKEN")


def test_serve_without_a_bot_token_on_a_migrated_database_names_it(tmp_path: Path, migrated_db: str) -> None:
    run = remote_wins("serve", cwd=tmp_path, env={"DATABASE_URL": migrated_db, "SLACK_API_URL": NO_SLACK})
    line = assert_last_line(run, "SLACK_BOT_TOKEN is not set")
    assert "xoxb-" in line  # says what a bot token looks like


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_a_malformed_port_is_named_in_one_line(tmp_path: Path, port: str) -> None:
    run = remote_wins("serve", cwd=tmp_path, env={"PORT": port, "SLACK_BOT_TOKEN": BOT_TOKEN})
    assert_one_line(run, "PORT is malformed")


def test_a_malformed_bot_token_is_named_without_echoing_it(tmp_path: Path) -> None:
    run = remote_wins("serve", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "xoxp-1-user-SECRETPART"})
    line = assert_one_line(run, "SLACK_BOT_TOKEN is malformed")
    assert "SECRETPART" not in line


def test_socket_without_an_app_token_names_it(tmp_path: Path, migrated_db: str) -> None:
    run = remote_wins(
        "socket",
        cwd=tmp_path,
        env={"SLACK_BOT_TOKEN": BOT_TOKEN, "DATABASE_URL": migrated_db, "SLACK_API_URL": NO_SLACK},
    )
    assert_one_line(run, "SLACK_APP_TOKEN is not set")


def test_db_upgrade_on_a_fresh_sqlite_file_then_current_prints_the_head(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "fresh.db")
    upgraded = remote_wins("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": url})
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    current = remote_wins("db", "current", cwd=tmp_path, env={"DATABASE_URL": url})
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == head_revision() != ""


def test_db_upgrade_twice_is_harmless(tmp_path: Path, migrated_db: str) -> None:
    again = remote_wins("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": migrated_db})
    assert again.returncode == 0, again.stderr
    current = remote_wins("db", "current", cwd=tmp_path, env={"DATABASE_URL": migrated_db})
    assert current.stdout.strip() == head_revision()


def test_db_current_on_an_empty_database_says_empty(tmp_path: Path) -> None:
    current = remote_wins("db", "current", cwd=tmp_path, env={"DATABASE_URL": sqlite_url(tmp_path / "x.db")})
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == "empty"


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_an_unmigrated_database_stops_the_app_with_one_line_naming_db_upgrade(
    tmp_path: Path, command: str
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": NO_SLACK,  # a Slack call before the schema check would fail differently
        "DATABASE_URL": sqlite_url(tmp_path / "old.db"),
        "PORT": str(free_port()),
    }
    run = remote_wins(command, cwd=tmp_path, env=env)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    mentions = [line for line in run.lines if "remote-wins db upgrade" in line]
    assert len(mentions) == 1, run.stderr
    assert mentions[0].startswith("remote-wins: there is no database at")
    assert run.lines[-1] == mentions[0]
    assert not (tmp_path / "old.db").exists()  # refusing leaves no empty file behind


def test_a_token_from_dot_env_in_the_working_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\n")
    run = remote_wins("serve", cwd=tmp_path)
    assert_one_line(run, "SLACK_BOT_TOKEN is malformed")


def test_a_valid_token_from_dot_env_gets_past_the_token_check(tmp_path: Path, migrated_db: str) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nDATABASE_URL={migrated_db}\n")
    run = remote_wins("socket", cwd=tmp_path, env={"SLACK_API_URL": NO_SLACK})
    assert_one_line(run, "SLACK_APP_TOKEN is not set")


def test_the_environment_wins_over_dot_env(tmp_path: Path, migrated_db: str) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\n")
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "DATABASE_URL": migrated_db, "SLACK_API_URL": NO_SLACK}
    run = remote_wins("socket", cwd=tmp_path, env=env)
    line = assert_one_line(run, "SLACK_APP_TOKEN is not set")
    assert "SLACK_BOT_TOKEN" not in line


def test_socket_with_a_token_slack_rejects_says_so_in_one_line(
    tmp_path: Path, migrated_db: str, fake_slack: FakeSlack
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-not-the-real-one",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": migrated_db,
        "LOG_LEVEL": "WARNING",  # the schema check's alembic INFO lines are covered elsewhere
    }
    run = remote_wins("socket", cwd=tmp_path, env=env)
    assert_last_line(run, "SLACK_BOT_TOKEN was not accepted by Slack")


def test_serve_with_a_token_slack_rejects_says_so_in_one_line(
    tmp_path: Path, migrated_db: str, fake_slack: FakeSlack
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-not-the-real-one",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": migrated_db,
        "PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    run = remote_wins("serve", cwd=tmp_path, env=env)
    assert_last_line(run, "SLACK_BOT_TOKEN was not accepted by Slack")


def test_serve_without_a_signing_secret_names_it(tmp_path: Path, migrated_db: str) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": NO_SLACK,
        "DATABASE_URL": migrated_db,
        "PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    run = remote_wins("serve", cwd=tmp_path, env=env)
    assert_last_line(run, "SLACK_SIGNING_SECRET is not set")


def test_socket_with_an_unreachable_slack_api_url_says_so_in_one_line(
    tmp_path: Path, migrated_db: str
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": NO_SLACK,
        "DATABASE_URL": migrated_db,
        "LOG_LEVEL": "WARNING",
    }
    run = remote_wins("socket", cwd=tmp_path, env=env)
    assert_last_line(run, "SLACK_API_URL")
