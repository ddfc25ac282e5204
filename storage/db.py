"""Engines and sessions: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

# Slack waits 3 s for an ack: a write that can't get the database within this gives up and says so.
BUSY_TIMEOUT_MS = 2000


def create_db_engine(url: str) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrent writers."""
    if url.startswith("sqlite"):
        in_memory = make_url(url).database in (None, "", ":memory:")  # one shared connection: no pool to size
        # A file gets connections for all of gunicorn's threads and the post-ack pool, none reopened.
        pool = (
            {} if in_memory else {"pool_size": 24, "max_overflow": 16, "pool_timeout": BUSY_TIMEOUT_MS / 1000}
        )
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    parsed = make_url(url)
    # Keep options already in the URL (a search_path, say) and add a bound on waiting for row locks.
    options = f"{parsed.query.get('options', '')} -c lock_timeout={BUSY_TIMEOUT_MS}".strip()
    return create_engine(
        parsed.difference_update_query(["options"]),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=BUSY_TIMEOUT_MS / 1000,
        connect_args={"connect_timeout": 5, "options": options},
    )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched. `Session.execute` returns a `CursorResult` for them, but is
    typed to return a plain `Result`, which has no rowcount (SQLAlchemy leaves the cast to its callers)."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_answers(engine: Engine) -> bool:
    """For /healthz: True when a trivial query comes back."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
