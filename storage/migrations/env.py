"""Alembic's entry point: migrate the database named in the config (see storage/schema.py)."""

from alembic import context

from storage.db import create_db_engine
from storage.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None, "storage.schema sets sqlalchemy.url before it runs a migration"
engine = create_db_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
