"""Shared fixtures: the fake Slack, a migrated database on each backend, and the app served over HTTP."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import sqlalchemy as sa
import yaml

from bot.app import build_services
from bot.services import Services
from remote_wins.config import Settings
from remote_wins.server import WebApp
from storage.schema import upgrade
from tests.fake_slack import FakeSlack
from tests.support import CliProcess, SlackRequests

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "test-signing-secret"
TABLES = (
    "wins",
    "members",
    "workspaces",
    "form_origins",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
)


def manifest_scopes() -> set[str]:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return set(manifest["oauth_config"]["scopes"]["bot"])


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Granted exactly the manifest's scopes, so a call the manifest doesn't allow fails as in Slack."""
    with FakeSlack(scopes=manifest_scopes()) as fake:
        fake.add_user("U1", tz="Europe/Berlin", name="ana")
        fake.add_channel("C1", name="general")
        yield fake


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, migrated once; skipped without a server, except under CI."""
    admin = sa.create_engine(PG_URL)
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run under CI, but {PG_URL} is unreachable: {error}")
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    schema = f"rw_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a copy of a migrated SQLite file, or the PostgreSQL schema emptied."""
    if request.param == "sqlite":
        path = tmp_path / "remote-wins.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    for attempt in range(5):
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            break
        except sa.exc.OperationalError as error:
            # The previous test's work after the ack may still be finishing a transaction on these tables:
            # PostgreSQL then breaks the lock cycle by failing the TRUNCATE, which succeeds once it is done.
            if "deadlock detected" not in str(error) or attempt == 4:
                raise
    engine.dispose()
    return url


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return Settings(
        bot_token=fake_slack.bot_token,
        signing_secret=SIGNING_SECRET,
        app_token=fake_slack.app_token,
        slack_api_url=fake_slack.api_url,
        database_url=database_url,
        port=0,
        web_concurrency=1,
        log_level="INFO",
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def app_url(settings: Settings, services: Services) -> Iterator[str]:
    """The real WSGI app on a loopback port, in this process so tests can set the clock and the budget."""
    server = make_server("127.0.0.1", 0, WebApp(settings, services), _ThreadingWSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def slack(app_url: str, fake_slack: FakeSlack) -> SlackRequests:
    return SlackRequests(f"{app_url}/slack/events", SIGNING_SECRET, fake_slack)


@pytest.fixture
def processes() -> Iterator[list[CliProcess]]:
    """The `remote-wins` processes a test starts, killed when it ends, passed or failed."""
    started: list[CliProcess] = []
    yield started
    for process in started:
        process.kill()
