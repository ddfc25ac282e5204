"""Logging redacts Slack tokens and the signing secret, through the handler `configure_logging` installs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest

from remote_wins.logs import RedactSecrets, configure_logging

BOT_TOKEN = "xoxb-1111-2222-abcdefTOKENBODY"
APP_TOKEN = "xapp-1-A111-3333-ghijklTOKENBODY"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"

Captured = Callable[[], str]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Run `configure_logging`, point its own handler (with its filter) at a buffer; restore the root."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET])
    (handler,) = root.handlers
    assert any(isinstance(f, RedactSecrets) for f in handler.filters)
    buffer = io.StringIO()
    handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer.getvalue
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_configure_logging_replaces_the_root_handlers_with_one_redacting_handler(
    captured: Captured,
) -> None:
    root = logging.getLogger()
    configure_logging("WARNING", [SIGNING_SECRET])
    (handler,) = root.handlers
    assert root.level == logging.WARNING
    assert [type(f) for f in handler.filters] == [RedactSecrets]


def test_a_bot_token_in_the_message_is_redacted(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").warning("calling Slack with %s", BOT_TOKEN)
    out = captured()
    assert "calling Slack with xoxb-***" in out
    assert "TOKENBODY" not in out


def test_an_app_token_in_the_message_is_redacted(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").warning(f"socket token {APP_TOKEN} rejected")
    out = captured()
    assert "socket token xapp-*** rejected" in out
    assert "TOKENBODY" not in out


def test_any_token_shaped_text_is_redacted_even_if_not_configured(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").warning("user token xoxp-9999-8888-unknownTOKENBODY leaked")
    out = captured()
    assert "xoxp-***" in out
    assert "TOKENBODY" not in out


def test_the_signing_secret_is_redacted(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").warning("secret=%s", SIGNING_SECRET)
    out = captured()
    assert "secret=***" in out
    assert SIGNING_SECRET not in out


def test_a_secret_inside_a_dict_argument_is_redacted(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").info("headers %s", {"Authorization": f"Bearer {BOT_TOKEN}"})
    out = captured()
    assert "Bearer xoxb-***" in out
    assert "TOKENBODY" not in out


def test_a_message_without_secrets_is_unchanged(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").info("saved win %d for %s", 42, "U1")
    assert "saved win 42 for U1" in captured()


def test_messages_below_the_level_are_dropped(captured: Captured) -> None:
    logging.getLogger("remote_wins.test").debug("too chatty %s", BOT_TOKEN)
    assert captured() == ""


def test_a_token_in_a_logged_exception_is_redacted(captured: Captured) -> None:
    try:
        raise RuntimeError(f"auth failed for {BOT_TOKEN}")
    except RuntimeError:
        logging.getLogger("remote_wins.test").exception("listener failed")
    out = captured()
    assert "listener failed" in out
    assert "TOKENBODY" not in out
