"""A throwaway PostgreSQL schema for a benchmark: created, handed over as a URL, dropped whatever happens.

The benchmarks run beside a developer's own databases on the same server, so each gets a schema of its
own (search_path in the URL) and leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def postgres_schema(base_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema named `<prefix>_<random>` on `base_url`'s server."""
    admin = sa.create_engine(base_url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
