"""`INSERT … ON CONFLICT DO NOTHING` on either backend: the unique key decides, never check-then-insert."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(dialect: str) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """The backend's own `insert`, the one that knows `ON CONFLICT`."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_ignore(
    session: Session, model: type, values: dict[str, Any], conflict_columns: list[str]
) -> Insert:
    """An insert that does nothing when a row with the same unique key already exists."""
    insert = dialect_insert(session.get_bind().dialect.name)
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
