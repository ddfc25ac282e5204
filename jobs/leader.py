"""Which clock process ticks: one leads, any other waits as a hot standby.

The delivery ledger already makes a second clock harmless (it finds every delivery claimed and sends
nothing); leadership keeps the second clock idle instead of racing for rows. Each lock is let go by the
database or the kernel when its holder dies, never by a timeout of ours, and a standby asks again on
every tick, so it takes over within one tick of the leader's death.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# Asked of the server for the leader's session only, so that a leader whose machine vanishes without
# closing its connection loses the lock in about 30 s, not after the kernel's two-hour keepalive default.
SESSION_KEEPALIVE = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "30000",
}


class Leadership(Protocol):
    """Asked before every tick; `acquire` is True while this process should tick."""

    description: str  # for the log: which lock, never a credential

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


def lock_key(schema: str) -> int:
    """The advisory lock's 64-bit key. Advisory locks are per database, so the key names the schema:
    two installs sharing a database in different schemas (or parallel test runs) each get a leader."""
    digest = hashlib.blake2b(f"remote-wins clock {schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock, held on a connection of its own while leading.

    The lock lasts as long as that session. When the leader exits, crashes or loses its connection,
    the server drops it and the next standby to ask gets it. The connection is taken out of the pool
    (closing it closes the session, which is what lets go of the lock) and runs in autocommit, so it
    never sits idle inside a transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self.key: int | None = None
        self.backend_pid: int | None = None  # the holding session's server process, while leading
        self.description = "the PostgreSQL advisory lock"

    def acquire(self) -> bool:
        if self._connection is not None:
            if self._still_connected():
                return True
            log.warning("clock: the connection that held %s was lost", self.description)
            self._close()
        connection = self._engine.connect()
        try:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.detach()
            schema, pid = connection.execute(text("SELECT current_schema(), pg_backend_pid()")).one()
            self.key = lock_key(schema)
            self.description = f"PostgreSQL advisory lock {self.key} (schema {schema})"
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(CAST(:key AS bigint))"), {"key": self.key}
            ).scalar_one()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        _ask_for_keepalives(connection)
        self._connection, self.backend_pid = connection, pid
        return True

    def release(self) -> None:
        """Close the session, which lets go of the lock; a standby gets it at its next tick."""
        self._close()

    def _still_connected(self) -> bool:
        assert self._connection is not None
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def _close(self) -> None:
        connection, self._connection, self.backend_pid = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):  # already gone: so is the session, and its lock
                connection.close()


def _ask_for_keepalives(connection: Connection) -> None:
    for name, value in SESSION_KEEPALIVE.items():
        try:
            connection.execute(text(f"SET {name} = {value}"))
        except SQLAlchemyError:  # an older server without tcp_user_timeout: the others still help
            log.debug("clock: the server does not take %s", name)


class FileLock:
    """SQLite: an exclusive `flock` on a file next to the database, held while leading.

    The kernel lets go of it when the holding process exits or dies, so a standby on the same machine
    takes over at its next tick. SQLite serves processes on one machine only, which is all this needs;
    the lock file is never deleted, because deleting it would let two processes lock two different files.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"the lock file {path}"
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # which process leads, for an operator
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor drops the flock


class OnlyClock:
    """An in-memory SQLite database: no other process can see it, so this clock always leads."""

    description = "an in-memory database (no other clock can share it)"

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


def leadership_for(engine: Engine) -> Leadership:
    """The lock that fits the database: an advisory lock on PostgreSQL, a lock file beside SQLite's file."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return OnlyClock()
    path = Path(database).resolve()
    return FileLock(path.with_name(path.name + ".clock-lock"))
