"""`remote-wins serve` under gunicorn, as an attacker and a busy Monday would use it: slow and idle
clients hold no thread, and no ack waits for them or for a locked database however many arrive at once
(how fast the acks are is bench/ack_latency.py's to measure)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from remote_wins.server import REQUEST_DEADLINE
from tests.fake_slack import FakeSlack
from tests.remote_wins.test_serve_process import Server
from tests.support import Reply, SlackRequests, free_port, wait_until

SECRET = "attack-test-secret"


@pytest.fixture
def served(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[tuple[Server, SlackRequests, Path]]:
    db = tmp_path / "served.db"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "PORT": str(free_port()),
    }
    subprocess.run(
        [sys.executable, "-m", "remote_wins.cli", "db", "upgrade"], env=env, cwd=tmp_path, check=True
    )
    for n in range(40):
        fake_slack.add_user(f"U{n}", tz="Europe/Berlin")
    server = Server(env, tmp_path).start()
    try:
        yield server, SlackRequests(f"{server.url}/slack/events", SECRET, fake_slack), db
    finally:
        server.kill()


def connect(server: Server, first_bytes: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=30)
    if first_bytes:
        conn.sendall(first_bytes)
    return conn


def closed_by_server(conn: socket.socket) -> bool:
    conn.settimeout(0.05)
    try:
        return conn.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_slow_and_idle_clients_hold_no_thread(served: tuple[Server, SlackRequests, Path]) -> None:
    """Sixty connections that never finish (more than the worker's 16 threads): real commands are acked
    at once all the same, and the stragglers are closed once their deadline passes."""
    server, slack, _db = served
    unfinished_body = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 5000\r\n\r\ntoken=abc"
    )
    unfinished_headers = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack-Sig"
    stragglers = [connect(server, unfinished_body) for _ in range(20)]
    stragglers += [connect(server, unfinished_headers) for _ in range(20)]
    stragglers += [connect(server, b"") for _ in range(20)]
    try:
        time.sleep(0.5)  # they are all in by now
        for n in range(5):
            reply = slack.command(f"acked despite the stragglers {n}", user=f"U{n}")
            assert reply.status == 200, reply
        # Acked while the stragglers still hold their connections: no command waited for them to go.
        assert not any(closed_by_server(c) for c in stragglers[::6])
        wait_until(
            lambda: all(closed_by_server(c) for c in stragglers),
            timeout=REQUEST_DEADLINE + 5,
            what="the server to close connections that never finished their request",
        )
    finally:
        for conn in stragglers:
            conn.close()


def test_every_ack_is_in_time_when_sqlite_is_locked_and_32_arrive_at_once(
    served: tuple[Server, SlackRequests, Path], fake_slack: FakeSlack
) -> None:
    """32 commands at once (twice the worker's threads) while another process holds SQLite's write
    lock: each is acked while the lock is still held (no ack waits for the database; how fast is
    bench/ack_latency.py's), and each member then hears what became of their win."""
    _server, slack, db = served
    for n in range(32):  # members known, zones cached: what is measured is the database and the threads
        assert slack.command(f"warm up {n}", user=f"U{n}").status == 200
    fake_slack.clear()
    lock = sqlite3.connect(db, timeout=10)
    lock.execute("BEGIN IMMEDIATE")  # the write lock, as a long migration or a stuck writer would hold
    replies: dict[int, Reply] = {}
    while_locked: dict[int, bool] = {}
    unlocked = threading.Event()
    start = threading.Barrier(32)

    def send(n: int) -> None:
        start.wait()
        replies[n] = slack.command(f"while locked {n}", user=f"U{n}")
        while_locked[n] = not unlocked.is_set()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(32)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        time.sleep(0.5)
        unlocked.set()
        lock.rollback()
        lock.close()
    assert sorted(replies) == list(range(32))
    assert all(reply.status == 200 for reply in replies.values())
    waited = sorted(n for n, locked in while_locked.items() if not locked)
    assert not waited, f"acked only once the database was free again: {waited}"
    pending = [n for n, reply in replies.items() if "Saved win" not in reply.json()["text"]]
    wait_until(
        lambda: len(fake_slack.responses) >= len(pending),
        timeout=60,
        what="a follow-up for every win acked as pending",
    )
