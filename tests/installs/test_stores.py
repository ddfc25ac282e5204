"""The stores' tables come from our migration (0014), not from the stores' create_tables: slack_sdk's
SQLAlchemy installation and state stores work on the migrated schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect

from storage.db import create_db_engine, session_factory
from storage.installations import delete_tokens, installation_store, latest_bot, state_store

CLIENT_ID = "1111111111.2222222222"


def installed(team_id: str, token: str, at: float, **extra: object) -> Installation:
    return Installation(
        app_id="A1",
        team_id=team_id,
        team_name="Acme",
        bot_token=token,
        bot_id="B1",
        bot_user_id="UBOT",
        bot_scopes="commands,chat:write",
        user_id="U1",
        installed_at=at,
        **extra,
    )


def test_the_migrated_tables_have_the_stores_columns(database_url: str) -> None:
    engine = create_db_engine(database_url)
    store, states = installation_store(engine, CLIENT_ID), state_store(engine)
    found = inspect(engine)
    for table in (store.installations, store.bots, states.oauth_states):
        assert {c["name"] for c in found.get_columns(table.name)} == set(table.c.keys()), table.name
    engine.dispose()


def test_an_installation_is_saved_found_rotated_and_deleted(database_url: str) -> None:
    engine = create_db_engine(database_url)
    store, sessions = installation_store(engine, CLIENT_ID), session_factory(engine)
    now = time.time()
    expires = int(now) + 3600
    store.save(
        installed("TA", "xoxe.xoxb-1", now - 60, bot_refresh_token="xoxe-1", bot_token_expires_at=expires)
    )
    store.save(installed("TB", "xoxb-2", now - 30))
    found = store.find_installation(enterprise_id=None, team_id="TA")
    assert found is not None and (found.bot_token, found.bot_refresh_token) == ("xoxe.xoxb-1", "xoxe-1")
    assert found.bot_token_expires_at == expires
    with sessions() as session:
        bot = latest_bot(session, CLIENT_ID, "TA")
        assert bot is not None and bot.bot_token == "xoxe.xoxb-1" and bot.team_name == "Acme"
        assert latest_bot(session, "another app", "TA") is None
    bot.bot_token, bot.bot_refresh_token = "xoxe.xoxb-3", "xoxe-3"  # a rotation saves over the same row
    store.save_bot(bot)
    with sessions.begin() as session:
        assert latest_bot(session, CLIENT_ID, "TA").bot_token == "xoxe.xoxb-3"
        assert delete_tokens(session, "TA") == 2  # its bot row and its installation row
        assert latest_bot(session, CLIENT_ID, "TA") is None
        assert latest_bot(session, CLIENT_ID, "TB").bot_token == "xoxb-2"
    engine.dispose()


def test_a_state_is_consumed_once(database_url: str) -> None:
    engine = create_db_engine(database_url)
    states = state_store(engine)
    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False
    assert states.consume("forged") is False
    engine.dispose()
