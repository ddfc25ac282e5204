"""PostgreSQL unreachable for 30 s (a proxy between the app and the server drops every connection and
refuses new ones): every command is answered within 3 s, saying its win was not saved and giving the
text back; the clock loses its lead and its ticks, then takes both back and sends what fell due; no
win acked as saved is lost, and nothing is sent twice."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.app import build_services
from bot.services import Services
from jobs.clock import Clock
from jobs.leader import leadership_for
from remote_wins.config import Settings
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.jobs.test_clock import NOW, add_member_due
from tests.support import SlackRequests, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]
OUTAGE = 30.0
SAVED = re.compile(r"Saved win #(\d+)")


class DroppingProxy:
    """A TCP proxy to PostgreSQL; `cut()` drops every connection and refuses new ones until `mend()`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()  # a reset: the server is unreachable
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self._lock:
            doomed, self._open = self._open, []
        for conn in doomed:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def mend(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied(settings: Settings, database_url: str) -> Iterator[tuple[DroppingProxy, Services, Settings]]:
    url = make_url(database_url)
    proxy = DroppingProxy(url.host or "127.0.0.1", url.port or 5432)
    through = Settings(
        **{**settings.__dict__, "database_url": url.set(port=proxy.port).render_as_string(False)}
    )
    built = build_services(through)
    yield proxy, built, through
    built.close()
    proxy.close()


@pytest.fixture
def served(
    proxied: tuple[DroppingProxy, Services, Settings], fake_slack: FakeSlack
) -> Iterator[SlackRequests]:
    from wsgiref.simple_server import make_server

    from remote_wins.server import WebApp
    from tests.conftest import _QuietHandler, _ThreadingWSGIServer

    _proxy, built, through = proxied
    server = make_server("127.0.0.1", 0, WebApp(through, built), _ThreadingWSGIServer, _QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield SlackRequests(f"http://127.0.0.1:{server.server_port}/slack/events", SIGNING_SECRET, fake_slack)
    server.shutdown()
    server.server_close()


def test_thirty_seconds_without_postgresql(
    proxied: tuple[DroppingProxy, Services, Settings],
    served: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    database_url: str,
) -> None:
    proxy, built, _through = proxied
    slack = served
    members = [f"U{500 + n}" for n in range(6)]
    for user in members:
        add_member_due(services, fake_slack, user, NOW + timedelta(minutes=1))  # due during the outage
    acked: dict[int, str] = {}
    for user in members:  # before: saved, and each member's zone is in the app's cache
        found = SAVED.search(slack.command(f"before, {user}", user=user).json()["text"])
        assert found
        acked[int(found.group(1))] = f"before, {user}"

    simulated = [NOW]
    built.clock = lambda: simulated[0] + timedelta(seconds=1)
    clock = Clock(built, leadership_for(built.engine), interval_seconds=1, worker="outage clock")
    clock.start()
    try:
        wait_until(lambda: clock.leading, what="the clock to lead")
        proxy.cut()
        simulated[0] = NOW + timedelta(minutes=1)  # the prompts fall due while the database is gone
        outage_ends, refused = time.monotonic() + OUTAGE, 0
        while time.monotonic() < outage_ends:
            words = f"during the outage {refused}"
            reply = slack.command(words, user=members[refused % len(members)])
            answer = reply.json()
            assert reply.status == 200 and reply.seconds < 3.0, (reply.seconds, answer)
            assert "Not saved" in answer["text"] and words in str(answer["blocks"]), answer
            refused += 1
            time.sleep(2.5)
        assert fake_slack.calls_to("chat.postMessage") == []  # the clock can't claim anything
        proxy.mend()
        simulated[0] = NOW + timedelta(minutes=2)
        wait_until(
            lambda: len(fake_slack.calls_to("chat.postMessage")) >= len(members),
            timeout=30,
            what="the clock to resume and send the prompts that fell due",
        )
        found = SAVED.search(slack.command("after the outage", user=members[0]).json()["text"])
        assert found
        acked[int(found.group(1))] = "after the outage"
    finally:
        clock.stop()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, text FROM wins")).all())
    engine.dispose()
    assert {win_id: stored.get(win_id) for win_id in acked} == acked
    assert not [t for t in stored.values() if t.startswith("during the outage")]
    dms = [m.channel for m in fake_slack.messages if m.channel.startswith("D")]
    assert sorted(dms) == sorted("D" + user[1:] for user in members)  # each prompt once
    assert refused >= 10
