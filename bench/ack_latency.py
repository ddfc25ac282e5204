"""Ack latency of `/remote-win <text>`: `remote-wins serve` against a bare Bolt app served the same way.

Why: Slack gives a slash command 3 s, and a member feels every millisecond before the ephemeral answer.
Our ack carries the saved win (the commit happens before it), so it can never be as quick as a Bolt app
that only acks; this measures how much slower it is, on the same gunicorn config, the same machine and
the same run, so the figures compare like with like and don't depend on the machine.

    python bench/ack_latency.py [--requests 2000] [--concurrency 8] [--warmup 50] [--members 10000]
                                [--backends sqlite,postgres]

Six scenarios, each against two baselines measured right before it: the bare app (the targets' baseline)
and the same app committing one row before its ack (`durable_write`: what any ack that promises a saved
win pays, so ours against it is our own code's cost), on SQLite and on PostgreSQL (a
throwaway schema, dropped after): warm caches (50 members, each seen in the warm-up, so their zones come
from the member cache); cold caches (`--members`, 10,000 members already in the database, each seen
about once: every request finds a member the process has never seen and reads them from the database,
as most commands in a large workspace do); and new members (`--members` more, each seen once and unknown
to the database: every request asks Slack's users.info and adds the member before saving, as a
member's first command does).

Prints p50/p99 latency (sequential, one keep-alive connection) and requests per second (concurrent
clients) for both apps, their ratios, and PASS/MISS per target (p50 within 2.5x and p99 within 3x of
bare, 40% of its requests per second). Exits 0 whatever the figures are: it is a benchmark, not a test.
Exits 1 only when the migration fails or a server does not start.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/ack_latency.py`: make `tests.fake_slack` importable

from schemas import postgres_schema  # noqa: E402

from tests.fake_slack import FakeSlack  # noqa: E402
from tests.support import sign  # noqa: E402

EVENTS_PATH, HEALTH_PATH = "/slack/events", "/healthz"
SIGNING_SECRET = "bench-signing-secret"
TEAM = "T0001"
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata")
WARM_MEMBERS = 50
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def users(count: int, prefix: str) -> list[tuple[str, str]]:
    return [(f"U{prefix}{i}", ZONES[i % len(ZONES)]) for i in range(count)]


SCOPES = {"commands", "chat:write", "users:read"}
TARGETS = (("p50", "<=", 2.5), ("p99", "<=", 3.0), ("rps", ">=", 0.40))


# -- the servers ----------------------------------------------------------------------------------------


def serve_bare(durable: bool = False) -> None:
    """The baseline, run in a child process: a Bolt app that only acks, under `remote-wins serve`'s gunicorn.

    It subclasses our GunicornServer and swaps only the WSGI app, so worker class, threads, keep-alive
    and timeouts are the same by construction, not by copying. `durable`: before acking a command or a
    form, it commits one row through `storage.db`'s engine, as any app whose ack promises a saved win must;
    ours against it is what our own code costs, with the write every durable ack pays taken out.
    """
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from remote_wins.config import load_settings
    from remote_wins.server import GunicornServer

    settings = load_settings()

    def build() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
        token = settings.require_bot_token()
        app = App(
            token=token,
            client=WebClient(token=token, base_url=settings.slack_api_url),
            signing_secret=settings.require_signing_secret(),
            process_before_response=True,  # ack from the listener, so Bolt does not poll for it
        )
        write = durable_write(settings.database_url) if durable else None

        def only_ack(ack: Ack, body: dict[str, Any]) -> None:
            if write is not None and body.get("type") != "block_actions":  # a press saves nothing
                write(str(body.get("user_id") or body.get("user", {}).get("id")))
            ack()

        # The requests bench/load.py mixes in too: a command, the Home's button, the win form.
        app.command("/remote-win")(only_ack)
        app.action("home_log_win")(only_ack)
        app.view("win_form")(only_ack)

        slack = SlackRequestHandler(app, path=EVENTS_PATH)

        def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == HEALTH_PATH:  # so readiness is checked the same way for both
                start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
                return [b"ok"]
            return slack(environ, start_response)

        return wsgi

    class BareServer(GunicornServer):
        def load(self) -> Any:
            return build()

    BareServer(settings).run()


def bare_acks_table() -> Any:
    """The durable baseline's table: a row per save, as small as a row can be."""
    import sqlalchemy as sa

    return sa.Table(
        "bare_acks",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def create_bare_acks(url: str) -> None:
    """Created by the bench before the servers start: four workers creating it at once would race."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        bare_acks_table().create(engine, checkfirst=True)
    finally:
        engine.dispose()


def durable_write(url: str) -> Callable[[str], None]:
    """One committed row per call, on `storage.db`'s engine (the same pool, pragmas and timeouts as ours)."""
    from datetime import UTC, datetime

    from storage.db import create_db_engine

    engine = create_db_engine(url)
    insert = bare_acks_table().insert()

    def write(user_id: str) -> None:
        with engine.begin() as connection:
            connection.execute(insert.values(user_id=user_id, created_at=datetime.now(UTC)))

    return write


def child_python() -> str:
    """The interpreter for the servers: this one if it has the project's dependencies, else the venv's."""
    if find_spec("slack_bolt") and find_spec("gunicorn"):
        return sys.executable
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A server process of ours (started in its own session so a stuck gunicorn can be killed whole)."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()  # SIGTERM: gunicorn's graceful stop, which lets our worker finish saving
        try:
            self.proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start(name: str, argv: Sequence[str], env: dict[str, str], workdir: Path, port: int) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, port, proc, log)


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    """Block until GET /healthz answers 200; raise with the server's log if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            break
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            conn.request("GET", HEALTH_PATH)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not become healthy; its log ends:\n{server.log_tail()}")


# -- the client -----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one app's requests came back with; failures keep a sample for the report."""

    sent: int = 0
    saved: int = 0  # acks that carried "Saved win #…" (ours only)
    pending: int = 0  # acks that said "Saving your win…": the save outran the ack budget (ours only)
    failures: list[str] = field(default_factory=list)
    reconnects: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, body: bytes, error: str | None = None) -> None:
        with self.lock:
            self.sent += 1
            if status != 200:
                self.failures.append(error or f"HTTP {status}: {body[:200]!r}")
            elif b"Saved win #" in body:
                self.saved += 1
            elif b"Saving your win" in body:
                self.pending += 1


class Requests:
    """Distinct, freshly signed `/remote-win` bodies; members taken in turn from `members`, so with as many
    members as requests each is seen once (cold caches), and with few each is seen often (warm)."""

    def __init__(self, fake: FakeSlack, members: Sequence[tuple[str, str]]) -> None:
        self.fake, self.members = fake, members
        self._seq = itertools.count()  # next() on a count is atomic under the GIL: ids never repeat

    def next(self, app: str, phase: str) -> tuple[bytes, dict[str, str]]:
        n = next(self._seq)
        user = self.members[n % len(self.members)][0]
        body = urlencode(
            {
                "token": "legacy-unused",
                "team_id": TEAM,
                "team_domain": "acme",
                "channel_id": "C1",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/remote-win",
                "text": f"shipped the {phase} change number {n} for the {app} benchmark",
                "response_url": self.fake.new_response_url(),
                "trigger_id": f"bench-{app}-{phase}-{n}",
                "api_app_id": "A1",
            }
        ).encode()
        ts = int(time.time())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(SIGNING_SECRET, ts, body),
        }
        return body, headers


class Connection:
    """One keep-alive connection, as Slack keeps; reconnects (counted) if the server closed it while idle."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port, self.tally = port, tally
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: bytes, headers: dict[str, str]) -> float:
        """Send one request and return its latency in seconds (signing is done before the clock starts)."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request("POST", EVENTS_PATH, body, headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.conn.close()
                with self.tally.lock:
                    self.tally.reconnects += 1
                if attempt == 2:
                    self.tally.add(None, b"", f"{type(error).__name__}: {error}")
                    return time.perf_counter() - started
                continue
            except OSError as error:
                self.conn.close()
                self.tally.add(None, b"", f"{type(error).__name__}: {error}")
                return time.perf_counter() - started
            elapsed = time.perf_counter() - started
            self.tally.add(response.status, data)
            return elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def sequential(port: int, requests: Requests, app: str, phase: str, count: int, tally: Tally) -> list[float]:
    """One request at a time on one connection: latency with nothing else in the way."""
    conn = Connection(port, tally)
    try:
        latencies = []
        for _ in range(count):
            body, headers = requests.next(app, phase)
            latencies.append(conn.post(body, headers))
        return latencies
    finally:
        conn.close()


def concurrent(
    port: int, requests: Requests, app: str, count: int, clients: int, tally: Tally
) -> tuple[float, list[float]]:
    """`clients` threads, each on its own connection, share `count` requests: (requests/s, latencies)."""
    remaining = itertools.count()
    latencies: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        conn = Connection(port, tally)
        mine = []
        try:
            ready.wait()
            while next(remaining) < count:
                body, headers = requests.next(app, "load")
                mine.append(conn.post(body, headers))
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, name=f"client-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started), latencies


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# -- the run --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    p50: float
    p99: float
    rps: float
    load_p50: float
    load_p99: float


def measure(
    servers: dict[str, Server],
    requests: Requests,
    tallies: dict[str, Tally],
    args: argparse.Namespace,
    warmup: int,
) -> dict[str, Figures]:
    """Warm both, then each phase for both apps back to back, so drift on the machine hits both alike."""
    for name, server in servers.items():
        sequential(server.port, requests, name, "warmup", warmup, tallies[name])
    seq: dict[str, list[float]] = {}
    for name, server in servers.items():
        seq[name] = sequential(server.port, requests, name, "latency", args.requests, tallies[name])
    load: dict[str, tuple[float, list[float]]] = {}
    for name, server in servers.items():
        load[name] = concurrent(server.port, requests, name, args.requests, args.concurrency, tallies[name])
    return {
        name: Figures(
            percentile(seq[name], 50),
            percentile(seq[name], 99),
            load[name][0],
            percentile(load[name][1], 50),
            percentile(load[name][1], 99),
        )
        for name in servers
    }


def count_wins(url: str, expected: int, timeout: float = 15.0) -> int:
    """Wins in our database; waits a little for saves that were acked as pending and finish after the ack."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                found = int(connection.execute(sa.text("SELECT count(*) FROM wins")).scalar_one())
            if found >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.2)
    finally:
        engine.dispose()


@dataclass
class Scenario:
    name: str
    figures: dict[str, Figures]
    tallies: dict[str, Tally]
    users_info: int
    wins: int


def ratios(figures: dict[str, Figures], baseline: str = "bare") -> dict[str, float]:
    ours, base = figures["remote-wins"], figures[baseline]
    return {"p50": ours.p50 / base.p50, "p99": ours.p99 / base.p99, "rps": ours.rps / base.rps}


def report(scenarios: list[Scenario], args: argparse.Namespace) -> None:
    print(
        f"\nack latency of /remote-win <text>: remote-wins against a bare Bolt app under the same gunicorn, "
        f"measured back to back in each scenario.\np50/p99: {args.requests} sequential requests on one "
        f"keep-alive connection (ms); rps: {args.requests} requests over {args.concurrency} clients."
    )
    for baseline, title in (
        ("bare", "against the bare app that only acks (the targets)"),
        ("bare+write", "against the bare app that commits one row before its ack (the write taken out)"),
    ):
        print(f"\n{title}:")
        table(scenarios, baseline, targets=baseline == "bare")
    print(
        "\ntargets (first table): p50 ratio <= 2.5, p99 ratio <= 3.0, rps ratio >= 0.40. "
        f"Under {args.concurrency} clients (ms, ours/bare/bare+write):"
    )
    for scenario in scenarios:
        f = scenario.figures
        print(
            f"  {scenario.name:<22} p50 "
            + "/".join(f"{f[n].load_p50:.1f}" for n in ("remote-wins", "bare", "bare+write"))
            + ", p99 "
            + "/".join(f"{f[n].load_p99:.1f}" for n in ("remote-wins", "bare", "bare+write"))
        )


def table(scenarios: list[Scenario], baseline: str, targets: bool) -> None:
    header = (
        f"{'scenario':<22} | {'p50 ours':>8} | {'p50 base':>8} | {'ratio':>6} | {'p99 ours':>8} | "
        f"{'p99 base':>8} | {'ratio':>6} | {'rps ours':>8} | {'rps base':>8} | {'ratio':>6}"
        + (" | targets" if targets else "")
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        ours, base = scenario.figures["remote-wins"], scenario.figures[baseline]
        r = ratios(scenario.figures, baseline)
        verdicts = [
            f"{key} {'PASS' if (r[key] <= limit if op == '<=' else r[key] >= limit) else 'MISS'}"
            for key, op, limit in TARGETS
        ]
        print(
            f"{scenario.name:<22} | {ours.p50:>8.2f} | {base.p50:>8.2f} | {r['p50']:>5.2f}x | "
            f"{ours.p99:>8.2f} | {base.p99:>8.2f} | {r['p99']:>5.2f}x | "
            f"{ours.rps:>8.1f} | {base.rps:>8.1f} | {r['rps']:>5.2f}x"
            + (" | " + ", ".join(verdicts) if targets else "")
        )


def summary(scenarios: list[Scenario], ours: dict[str, Server]) -> None:
    """Failures, what our acks said, and the database count that shows every acked win was committed."""
    print()
    for scenario in scenarios:
        for name, tally in scenario.tallies.items():
            line = f"{scenario.name}, {name}: {tally.sent} sent, {len(tally.failures)} failed"
            if name == "remote-wins":
                line += (
                    f", {tally.saved} acked with the saved win, {tally.pending} acked as pending; "
                    f"users.info asked {scenario.users_info} times"
                )
            print(line)
            for failure in tally.failures[:3]:
                print(f"  failure: {failure}")
    for backend, server in ours.items():
        errors = sum(" ERROR " in line for line in server.log.read_text(errors="replace").splitlines())
        if errors:
            print(
                f"remote-wins on {backend} logged {errors} ERROR lines; its log ends:\n{server.log_tail(10)}"
            )


def cores() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{os.cpu_count()} cores ({usable} usable by this process)"


def seed_members(url: str, members: Sequence[tuple[str, str]]) -> None:
    """Members the database already knows (their zone checked just now), as a workspace's regulars are."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from storage.models import Member, Workspace

    now = datetime.now(UTC)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.scalar(sa.select(Workspace.id).where(Workspace.id == TEAM)) is None:
                connection.execute(sa.insert(Workspace), [{"id": TEAM, "created_at": now}])
            rows = [
                {"workspace_id": TEAM, "user_id": user, "tz": tz, "tz_checked_at": now, "created_at": now}
                for user, tz in members
            ]
            connection.execute(sa.insert(Member), rows)
    finally:
        engine.dispose()


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A fresh database: a SQLite file in the work directory, or a PostgreSQL schema dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    with postgres_schema(PG_URL, "bench_ack") as url:
        yield url


@dataclass
class Bench:
    """What every backend's measurement shares, and what they have measured so far."""

    args: argparse.Namespace
    fake: FakeSlack
    workdir: Path  # no .env here: the servers see only the environment `server_env` sets
    python: str
    warm: list[tuple[str, str]]  # members seen in the warm-up
    scenarios: list[Scenario] = field(default_factory=list)
    ours: dict[str, Server] = field(default_factory=dict)  # remote-wins' server, by backend


def run(args: argparse.Namespace) -> int:
    print(f"machine: {cores()}; python {sys.version.split()[0]}")
    print(
        f"per scenario and app: warm-up, {args.requests} sequential + {args.requests} over "
        f"{args.concurrency} clients; warm: {WARM_MEMBERS} members seen in the warm-up; cold: "
        f"{args.members} members in the database, each seen about once; new: {args.members} members "
        "unknown to the database"
    )
    python = child_python()
    with FakeSlack(scopes=SCOPES) as fake, tempfile.TemporaryDirectory(prefix="ack-bench-") as tmp:
        bench = Bench(args, fake, Path(tmp), python, users(WARM_MEMBERS, "W"))
        for user_id, tz in bench.warm:
            fake.add_user(user_id, tz=tz)
        for backend in args.backends:
            if bench_backend(bench, backend) != 0:
                return 1
        report(bench.scenarios, args)
        summary(bench.scenarios, bench.ours)
    return 0


def server_env(fake: FakeSlack, url: str) -> dict[str, str]:
    """Both apps' environment: the fake Slack, this backend's database, one worker."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url,
        "WEB_CONCURRENCY": "1",
    }
    for name in ("SLACK_APP_TOKEN", "LOG_LEVEL"):
        env.pop(name, None)
    return env


def bench_backend(bench: Bench, backend: str) -> int:
    """The three scenarios on one database backend, both apps serving it; 1 when a server failed."""
    fake, workdir, python = bench.fake, bench.workdir, bench.python
    cold = users(bench.args.members, f"C{backend[0].upper()}")
    new = users(bench.args.members, f"N{backend[0].upper()}")
    for user_id, tz in cold + new:
        fake.add_user(user_id, tz=tz)
    with database(backend, workdir) as url:
        env = server_env(fake, url)
        migrate = subprocess.run(
            [python, "-m", "remote_wins.cli", "db", "upgrade"],
            cwd=workdir,
            env=env,
            capture_output=True,
        )
        if migrate.returncode != 0:
            print("db upgrade failed:", migrate.stderr.decode(errors="replace"), file=sys.stderr)
            return 1
        seed_members(url, cold)
        create_bare_acks(url)
        servers: dict[str, Server] = {}
        try:
            for name, argv in (
                ("remote-wins", [python, "-m", "remote_wins.cli", "serve"]),
                ("bare", [python, str(Path(__file__).resolve()), "--serve-bare"]),
                ("bare+write", [python, str(Path(__file__).resolve()), "--serve-bare-durable"]),
            ):
                port = free_port()
                servers[name] = start(f"{name}-{backend}", argv, {**env, "PORT": str(port)}, workdir, port)
            for server in servers.values():
                wait_healthy(server)
            bench.ours[backend] = servers["remote-wins"]
            bench_scenarios(bench, backend, servers, url, cold, new)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        finally:
            for server in servers.values():
                server.stop()
    return 0


def bench_scenarios(
    bench: Bench,
    backend: str,
    servers: dict[str, Server],
    url: str,
    cold: list[tuple[str, str]],
    new: list[tuple[str, str]],
) -> None:
    """Warm caches, cold caches, new members, one after the other on the same two servers."""
    fake, args = bench.fake, bench.args
    sent_before = 0
    for label, members, warmup in (
        ("warm caches", bench.warm, max(args.warmup, WARM_MEMBERS)),
        ("cold caches", cold, args.warmup),
        ("new members", new, args.warmup),
    ):
        print(f"{backend}, {label}: measuring", flush=True)
        before = sum(call.method == "users.info" for call in fake.calls)
        # the cold warm-up uses warm members: the process is warm, the members are not
        requests = Requests(fake, members)
        if label != "warm caches":
            for name, server in servers.items():
                sequential(server.port, Requests(fake, bench.warm), name, "warmup", warmup, Tally())
            warmup = 0
        tallies = {name: Tally() for name in servers}
        figures = measure(servers, requests, tallies, args, warmup)
        warmed = args.warmup if label != "warm caches" else 0
        sent_before += tallies["remote-wins"].sent + warmed
        wins = count_wins(url, sent_before)
        users_info = sum(call.method == "users.info" for call in fake.calls) - before
        bench.scenarios.append(Scenario(f"{backend}, {label}", figures, tallies, users_info, wins))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="per app, per phase (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads in the throughput phase")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up requests per app (default 50)")
    parser.add_argument(
        "--members", type=int, default=10_000, help="members for the cold-cache scenario (default 10000)"
    )
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="sqlite, postgres or both (default both)"
    )
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare-durable", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.serve_bare or args.serve_bare_durable:
        serve_bare(durable=args.serve_bare_durable)
        return 0
    signal.signal(signal.SIGTERM, _exit_on_signal)  # so the `finally` that stops the servers runs
    return run(args)


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
