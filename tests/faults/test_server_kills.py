"""The server killed (SIGKILL, no shutdown hook) at random points during bursts of commands: every win
acked as saved is there after the restart, once, and the server answers again at once.

A win acked "Saving…" (the save outran the ack) may die with the process: its member has their text in
that ack. docs/ARCHITECTURE.md, "What survives which fault".
"""

from __future__ import annotations

import functools
import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.fake_slack import FakeSlack
from tests.remote_wins.test_serve_process import Server
from tests.support import Reply, SlackRequests, free_port, wait_until

pytestmark = pytest.mark.faults
SECRET = "kill-test-secret"
ROUNDS, BURST = 6, 24
SAVED = re.compile(r"Saved win #(\d+)")


@pytest.fixture
def server(tmp_path: Path, fake_slack: FakeSlack, database_url: str) -> Iterator[Server]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }
    if database_url.startswith("sqlite"):
        subprocess.run(
            [sys.executable, "-m", "remote_wins.cli", "db", "upgrade"], env=env, cwd=tmp_path, check=True
        )
    for n in range(BURST):
        fake_slack.add_user(f"U{n}", tz="Europe/Berlin")
    served = Server(env, tmp_path)
    yield served
    served.kill()


def stored(url: str) -> dict[int, str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, text FROM wins")).all())
    engine.dispose()
    return rows


def _sender(slack: SlackRequests, round_: int, replies: list[tuple[str, Reply | None]]) -> Any:
    lock = threading.Lock()

    def send(n: int) -> None:
        words = f"round {round_} win {n}"
        try:
            reply: Reply | None = slack.command(words, user=f"U{n}")
        except (OSError, http.client.HTTPException):  # the connection died with the server: never acked
            reply = None
        with lock:
            replies.append((words, reply))

    return send


def saved_in(replies: list[tuple[str, Reply | None]]) -> bool:
    return any(
        reply is not None and reply.status == 200 and SAVED.search(reply.body.decode(errors="replace"))
        for _words, reply in list(replies)
    )


def test_every_win_acked_as_saved_survives_kills_during_bursts(
    server: Server, fake_slack: FakeSlack, database_url: str
) -> None:
    rng = random.Random(10)
    acked: dict[int, str] = {}
    answered = 0
    for round_ in range(ROUNDS):
        server.start()
        slack = SlackRequests(f"{server.url}/slack/events", SECRET, fake_slack)
        replies: list[tuple[str, Reply | None]] = []
        send = _sender(slack, round_, replies)
        threads = [threading.Thread(target=send, args=(n,)) for n in range(BURST)]
        for thread in threads:
            thread.start()
        if round_ % 2:  # every other round is cut once a save is acked, however slow the machine is today
            wait_until(functools.partial(saved_in, replies), timeout=20, what="a first win acked as saved")
        time.sleep(rng.uniform(0.0, 0.4))  # somewhere in the burst: before, during or after the saves
        server.kill()
        for thread in threads:
            thread.join(timeout=30)
        for words, reply in replies:
            if reply is not None and reply.status == 200 and (found := SAVED.search(reply.json()["text"])):
                acked[int(found.group(1))] = words
                answered += 1
    server.start()  # the last restart: it answers at once, and every acked win is there
    slack = SlackRequests(f"{server.url}/slack/events", SECRET, fake_slack)
    assert slack.command("after the last kill").status == 200
    wins = stored(database_url)
    assert answered > 0, "no command was acked in any round: the kills came too early to test anything"
    missing = {win_id: words for win_id, words in acked.items() if wins.get(win_id) != words}
    assert not missing, f"acked as saved, then lost: {missing}"
    texts = list(wins.values())
    assert len(texts) == len(set(texts)), "a win was saved twice"
