"""`remote-wins`: the one console script. Bad settings end it with one line and exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackClientError

from remote_wins.config import ConfigError, Settings, load_settings
from remote_wins.logs import configure_logging
from storage.schema import SchemaOutOfDate

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remote-wins", description="A Slack bot that makes remote days visible."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="run the HTTP app (POST /slack/events, GET /healthz) under gunicorn")
    commands.add_parser("socket", help="run over Socket Mode, for a machine with no public URL")
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every migration")
    db.add_parser("current", help="print the schema revision")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(
            settings.log_level,
            [s for s in (settings.bot_token, settings.app_token, settings.signing_secret) if s],
        )
        return _run(args, settings)
    except (ConfigError, SchemaOutOfDate) as error:
        print(f"remote-wins: {error}", file=sys.stderr)
    except BoltError as error:  # Bolt checks the token with auth.test before it serves anything
        print(f"remote-wins: SLACK_BOT_TOKEN was not accepted by Slack: {error}", file=sys.stderr)
    except (SlackClientError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        print(f"remote-wins: could not reach Slack at SLACK_API_URL ({reason})", file=sys.stderr)
    return USAGE_ERROR


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        from storage.schema import current_revision, head_revision, upgrade

        if args.db_command == "upgrade":
            upgrade(settings.database_url)
            print(f"remote-wins: the database is at revision {head_revision()}")
            return 0
        from storage.db import create_db_engine

        print(current_revision(create_db_engine(settings.database_url)) or "empty")
        return 0
    if args.command == "serve":
        from remote_wins.server import serve

        serve(settings)
        return 0
    if args.command == "socket":
        from remote_wins.socket_mode import run_socket_mode

        run_socket_mode(settings)
        return 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
