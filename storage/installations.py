"""Where OAuth installations and OAuth states live: slack_sdk's SQLAlchemy stores, on the app's database.

The stores' tables are declared in storage/models.py with the stores' own table builders, so that the
migration that creates them (0014) is checked against exactly what the stores query
(tests/storage/test_schema.py); the stores never create tables themselves.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.models import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE, bots, installations

STATE_LIFETIME_SECONDS = 600  # an install link's state is good for ten minutes, as Bolt's default


def installation_store(engine: Engine, client_id: str) -> SQLAlchemyInstallationStore:
    """The installation store of this app (its client id) on our database."""
    return SQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """The OAuth state store: a state is issued with each install link and consumed once by the redirect."""
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_LIFETIME_SECONDS, engine=engine, table_name=OAUTH_STATES_TABLE
    )


def latest_bot(session: Session, client_id: str, team_id: str) -> Bot | None:
    """The workspace's newest bot token of this app, whatever Enterprise Grid org the workspace is in
    (the store's own find_bot matches the org id too, which a clock, holding only a team id, lacks)."""
    query = (
        select(bots)
        .where(bots.c.client_id == client_id, bots.c.team_id == team_id, bots.c.bot_token.is_not(None))
        .order_by(bots.c.installed_at.desc(), bots.c.id.desc())
        .limit(1)
    )
    row = session.execute(query).mappings().first()
    return None if row is None else SQLAlchemyInstallationStore.build_bot_entity(row)


def delete_tokens(session: Session, team_id: str) -> int:
    """Forget every token the workspace gave this app (all clients): the app was uninstalled or its
    tokens revoked. How many rows held them."""
    deleted = rowcount(session.execute(delete(bots).where(bots.c.team_id == team_id)))
    deleted += rowcount(session.execute(delete(installations).where(installations.c.team_id == team_id)))
    return deleted


def has_tokens(session: Session, team_id: str) -> bool:
    return session.scalar(select(bots.c.id).where(bots.c.team_id == team_id).limit(1)) is not None
