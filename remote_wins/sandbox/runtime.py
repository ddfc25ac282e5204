"""The sandbox's machinery: the real app served over HTTP, the simulated workspace, and simulated time.

What runs is what production runs: `remote_wins.server.WebApp` (Bolt, every listener, every request's
signature checked against a signing secret made for this run) behind a loopback HTTP server, the
services `bot.app.build_services` builds, and the clock's own `jobs.clock.Clock.tick`. Only the
configuration differs: SLACK_API_URL points at the workspace simulator (`remote_wins.simulator`), the
tokens and signing secret are made up, and the database is the sandbox's own SQLite file. Time is the
one thing injected: `Services.clock`, which the app reads everywhere it asks what time it is, is a
`SimulatedClock` that moves only when the person says so, running every tick in between.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import Column, DateTime, func, select

from bot.app import build_services
from jobs.clock import Clock
from jobs.leader import leadership_for
from jobs.tick import TickReport
from remote_wins.config import Settings
from remote_wins.logs import RedactSecrets
from remote_wins.sandbox import seed
from remote_wins.server import EVENTS_PATH, WebApp
from remote_wins.simulator.fake_slack import FakeSlack
from remote_wins.simulator.workspace import Workspace
from rules.calendar import zone
from storage.models import Base
from storage.schema import upgrade

DEFAULT_DB = "sandbox.db"
# The bot scopes of manifest.yml (tests/test_sandbox.py checks they stay the same): the simulator grants
# exactly these, so a call the real install couldn't make fails here too.
SCOPES = frozenset({"commands", "chat:write", "users:read", "files:write", "im:history"})
MOST_TICKS = 200_000  # a jump of years stops here rather than running on
log = logging.getLogger(__name__)


class SimulatedClock:
    """What `Services.clock` returns in the sandbox: an instant that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        self._now = _utc(now)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = _utc(instant)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the simulated clock takes aware instants")
    return instant.astimezone(UTC)


def default_start(today: datetime | None = None) -> datetime:
    """A new sandbox starts on this week's Friday, a quarter of an hour before Ana's morning prompt in
    Berlin: the first thing a newcomer sees arrive is a remote day beginning, and the week behind it (made
    up, from Monday) fills the manager's digest that afternoon."""
    berlin = zone("Europe/Berlin")
    local = (today or datetime.now(UTC)).astimezone(berlin).date()
    friday = local - timedelta(days=local.weekday()) + timedelta(days=4)
    return datetime.combine(friday, time(8, 45), berlin).astimezone(UTC)


@dataclass(frozen=True)
class Tick:
    """One tick the sandbox ran: its instant and what it did."""

    at: datetime
    report: TickReport | None


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The app logs what matters; a line per request would drown the terminal."""


class Sandbox:
    """Everything `remote-wins sandbox` runs, started by `open` and stopped by `close`."""

    def __init__(self, db_path: str | Path = DEFAULT_DB, *, start: datetime | None = None) -> None:
        self.db_path = Path(db_path)
        self.state_path = self.db_path.with_name(self.db_path.name + ".json")
        self.log_path = self.db_path.with_name(self.db_path.name + ".log")
        self._start = start
        self.seeded_now = False

    # -- lifecycle --------------------------------------------------------------------------------------

    def open(self) -> Sandbox:
        self._log_to_file()
        url = f"sqlite:///{self.db_path}"
        existed = self.db_path.exists()
        upgrade(url)
        saved = self._saved_now() if existed else None  # a new database starts a new story
        self.clock = SimulatedClock(saved or self._start or default_start())
        self.signing_secret = secrets.token_hex(16)
        self.fake = FakeSlack(
            bot_token=f"xoxb-sandbox-{secrets.token_hex(8)}",
            app_token=f"xapp-sandbox-{secrets.token_hex(8)}",
            team_id=seed.TEAM_ID,
            scopes=SCOPES,
        ).start()
        for person in seed.demo_people():
            self.fake.add_user(person.user_id, tz=person.tz, name=person.name)
        self.fake.add_channel(seed.CHANNEL_ID, name=seed.CHANNEL_NAME)
        self.settings = Settings(
            bot_token=self.fake.bot_token,
            signing_secret=self.signing_secret,
            app_token=None,
            slack_api_url=self.fake.api_url,
            database_url=url,
            port=0,
            web_concurrency=1,
            log_level="INFO",
        )
        self.services = build_services(self.settings)
        self.services.clock = self.clock
        if not seed.is_seeded(self.services):
            seed.seed(self.services, self.clock())
            self.seeded_now = True
        self.web = WebApp(self.settings, self.services)
        self._server = make_server("127.0.0.1", 0, self.web, _Server, _QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        events_url = f"http://127.0.0.1:{self._server.server_port}{EVENTS_PATH}"
        self.workspace = Workspace(
            self.fake, events_url, self.signing_secret, self.clock, domain=seed.TEAM_NAME
        )
        self.ticker = Clock(self.services, leadership_for(self.services.engine), worker="sandbox clock")
        self._save_now()
        return self

    def close(self) -> None:
        self._save_now()
        self._server.shutdown()
        self._server.server_close()
        self.ticker.leadership.release()
        self.web.close()
        self.fake.stop()

    def __enter__(self) -> Sandbox:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- time -------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def catch_up(self) -> list[Tick]:
        """As a clock does when it starts: one tick now, for whatever is already due."""
        return [self._tick()]

    def advance(self, target: datetime) -> list[Tick]:
        """Move the clock to `target`, ticking at each minute something falls due on the way (prompts,
        snoozes, digests, recaps, held posts) and once at `target`: the same ticks a clock running every
        minute would have made do something, with the quiet minutes left out."""
        target = _utc(target)
        if target < self.clock():
            raise ValueError("the clock only moves forward")
        ticks = []
        for at in self._due_minutes(target):
            self.clock.set(at)
            ticks.append(self._tick())
        self.clock.set(target)
        ticks.append(self._tick())
        self._save_now()
        return ticks

    def _due_minutes(self, target: datetime) -> Iterator[datetime]:
        last = self.clock()
        for _ in range(MOST_TICKS):
            due = self._next_due(last)
            if due is None:
                return
            at = _ceil_minute(due)
            if at > target:
                return
            yield at
            last = at

    def _next_due(self, after: datetime) -> datetime | None:
        """The first instant after `after` at which the clock has something to do: the earliest value, past
        `after`, of any column the tick reads as an instant work falls due (`due_columns`)."""
        found = []
        with self.services.sessions() as session:
            for column in due_columns():
                due = session.scalar(select(func.min(column)).where(column > after))
                if due is not None:
                    found.append(_utc(due))
        return min(found) if found else None

    def _tick(self) -> Tick:
        at = self.clock()
        report = self.ticker.tick()
        self.workspace.settle(quiet=0.05)
        return Tick(at, report)

    # -- what a restart keeps ---------------------------------------------------------------------------

    def _saved_now(self) -> datetime | None:
        try:
            data = json.loads(self.state_path.read_text())
            return _utc(datetime.fromisoformat(data["now"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save_now(self) -> None:
        self.state_path.write_text(json.dumps({"now": self.clock().isoformat()}) + "\n")

    def _log_to_file(self) -> None:
        """The app's log goes to a file beside the database: the terminal is the workspace's."""
        handler = logging.FileHandler(self.log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactSecrets([]))
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)
        for noisy in ("alembic", "apscheduler", "slack_bolt", "slack_sdk"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def due_columns() -> list[Column[datetime]]:
    """Every column holding an instant when the clock has work to do: the tick finds its work through
    `due_at` (prompt slots, the ledger), `…_due_at` and `held_until` columns, so a kind of scheduled work
    added to the models is ticked for here too, without the sandbox being told."""
    columns = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            instant = isinstance(getattr(column.type, "impl", column.type), DateTime)
            if instant and (column.name.endswith("due_at") or column.name == "held_until"):
                columns.append(column)
    return columns


def _ceil_minute(instant: datetime) -> datetime:
    seconds = math.ceil(instant.timestamp() / 60) * 60
    return datetime.fromtimestamp(seconds, UTC)
