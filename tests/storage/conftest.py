"""Fixtures for the storage tests, which work on the database without the app's services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.db import create_db_engine, session_factory


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database (each backend in turn), as storage's callers open them."""
    engine = create_db_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
