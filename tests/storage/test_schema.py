"""Migrations are the schema: they match the models, and commands refuse a database that is behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.db import create_db_engine
from storage.models import Base
from storage.schema import SchemaOutOfDate, ensure_current, head_revision, upgrade


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_an_empty_database_is_refused_until_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    engine = create_db_engine(url)
    with pytest.raises(SchemaOutOfDate, match="remote-wins db upgrade"):
        ensure_current(engine)
    upgrade(url)
    ensure_current(engine)
    upgrade(url)  # a second upgrade is a no-op
    ensure_current(engine)
    assert head_revision()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
