"""`remote-wins`: the one console script. Bad settings end it with one line and exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackClientError

from remote_wins.config import ConfigError, Settings, load_settings
from remote_wins.logs import configure_logging
from storage.schema import SchemaOutOfDate

USAGE_ERROR = 2
EXAMPLE_BOT_TOKEN = "xoxb-your-bot-token"  # .env.example's placeholder: not a Slack setting yet


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remote-wins", description="A Slack bot that makes remote days visible."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="what `make run` does: with SLACK_BOT_TOKEN (or OAuth) set, migrate and serve; else the sandbox",
    )
    commands.add_parser("serve", help="run the HTTP app (POST /slack/events, GET /healthz) under gunicorn")
    sandbox = commands.add_parser(
        "sandbox", help="the whole bot in a terminal, against a simulated Slack workspace and clock"
    )
    sandbox.add_argument(
        "--script", metavar="FILE", help="run FILE's commands instead of a prompt, printing a transcript"
    )
    sandbox.add_argument(
        "--db", metavar="PATH", default="sandbox.db", help="the sandbox's SQLite file (default sandbox.db)"
    )
    sandbox.add_argument(
        "--start",
        metavar="ISO-8601",
        help="when a new sandbox's clock starts, with an offset or Z (default: this Friday, 08:45 in Berlin)",
    )
    commands.add_parser("socket", help="run over Socket Mode, for a machine with no public URL")
    clock = commands.add_parser("clock", help="run the scheduler: a tick a minute; a second clock stands by")
    clock.add_argument(
        "--interval-seconds",
        type=_tick_interval,
        default=60,
        metavar="N",
        help="seconds between ticks, a divisor of 60 (default 60: second 0 of each minute); "
        "shorter intervals are for trying the clock out and for tests",
    )
    jobs = commands.add_parser("jobs", help="scheduled jobs, by hand").add_subparsers(
        dest="jobs_command", required=True
    )
    run = jobs.add_parser("run", help="one tick as of an instant: re-run a missed tick, or look first")
    run.add_argument(
        "kind",
        choices=("morning", "eod", "digest", "trial"),
        help="which prompts (digest: managers' weekly digests and their reports' recaps; trial: trial "
        "check-ins, their manager copies and overwork notes)",
    )
    run.add_argument("--at", required=True, metavar="ISO-8601", help="the instant, with an offset or Z")
    run.add_argument("--dry-run", action="store_true", help="print who is due and change nothing")
    digest = commands.add_parser("digest", help="managers' weekly digests").add_subparsers(
        dest="digest_command", required=True
    )
    preview = digest.add_parser("preview", help="print a manager's digest as it would go out (sends nothing)")
    preview.add_argument("--manager", required=True, metavar="USER_ID", help="the manager's Slack user id")
    preview.add_argument("--week", metavar="YYYY-Www", help="an ISO week (default: the manager's current)")
    preview.add_argument("--workspace", metavar="TEAM_ID", help="needed only when they manage in several")
    preview.add_argument("--json", action="store_true", help="print every message's Block Kit instead")
    preview.add_argument(
        "--at", metavar="ISO-8601", help="as if built at this instant, with an offset or Z (default: now)"
    )
    export = commands.add_parser(
        "export", help="a member's evidence pack: the one-page summary (html, md) or every win (csv)"
    )
    export.add_argument("--user", required=True, metavar="USER_ID", help="the member's Slack user id")
    export.add_argument("--workspace", metavar="TEAM_ID", help="needed only when they are in several")
    export.add_argument(
        "--from", dest="first", metavar="YYYY-MM-DD", help="with --to: these days (default: the trial)"
    )
    export.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    export.add_argument("--format", choices=("html", "md", "csv"), default="html", help="default html")
    export.add_argument("--output", metavar="PATH", help="write it to this file (default: standard output)")
    export.add_argument(
        "--at", metavar="ISO-8601", help="as of this instant, with an offset or Z (default: now)"
    )
    member = commands.add_parser("member", help="a member's data: export it all, or erase it").add_subparsers(
        dest="member_command", required=True
    )
    member_export = member.add_parser(
        "export", help="every record of the member as JSON (what `/remote-win export` uploads)"
    )
    member_forget = member.add_parser(
        "forget",
        help="delete every record of the member, as `/remote-win forget-me` does (their reports are told "
        "their manager link ended)",
    )
    for sub in (member_export, member_forget):
        sub.add_argument("--user", required=True, metavar="USER_ID", help="the member's Slack user id")
        sub.add_argument("--team", metavar="TEAM_ID", help="needed only when they are in several workspaces")
    member_export.add_argument(
        "--out", metavar="PATH", help="write it to this file (default: standard output)"
    )
    workspace = commands.add_parser("workspace", help="a workspace's defaults").add_subparsers(
        dest="workspace_command", required=True
    )
    holidays = workspace.add_parser(
        "holidays",
        help="the public holidays of members who chose none of their own (`/remote-win holidays`)",
    )
    holidays.add_argument("team", metavar="TEAM_ID", help="the Slack workspace (team) id, T…")
    holidays.add_argument(
        "calendar",
        nargs="*",
        metavar="COUNTRY [REGION]",
        help="a country code and optionally a region, like DE BY (python-holidays' codes); "
        "`none` removes the default; nothing: print it",
    )
    purge = workspace.add_parser(
        "purge",
        help="delete a workspace's data and tokens now, not DATA_RETENTION_DAYS after its uninstall",
    )
    purge.add_argument("team", metavar="TEAM_ID", help="the Slack workspace (team) id, T…")
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every migration")
    db.add_parser("current", help="print the schema revision")
    return parser


def _tick_interval(value: str) -> int:
    """Ticks stay on the minute only when their interval divides it."""
    seconds = int(value) if value.isdigit() else 0
    if not 0 < seconds <= 60 or 60 % seconds:
        raise argparse.ArgumentTypeError(f"{value!r} does not divide 60 (try 1, 5, 10, 15, 30 or 60)")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":  # needs no settings: it makes its own
        return _sandbox(args.db, args.script, args.start)
    try:
        settings = load_settings()
        configure_logging(
            settings.log_level,
            [s for s in (settings.bot_token, settings.app_token, settings.signing_secret) if s]
            + ([settings.client_secret] if settings.client_secret else []),
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
    commands = {
        "db": _db,
        "run": _run_app,
        "serve": _serve,
        "socket": _socket,
        "clock": _clock,
        "jobs": _run_job,
        "digest": _digest_preview,
        "workspace": _workspace,
        "export": _export,
        "member": _member,
    }
    command = commands.get(args.command)
    if command is None:
        raise AssertionError(args.command)
    return command(args, settings)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    """`db upgrade` / `db current`."""
    from storage.schema import current_revision, head_revision, upgrade

    if args.db_command == "upgrade":
        upgrade(settings.database_url)
        print(f"remote-wins: the database is at revision {head_revision()}")
        return 0
    from storage.db import create_db_engine

    print(current_revision(create_db_engine(settings.database_url)) or "empty")
    return 0


def _run_app(args: argparse.Namespace, settings: Settings) -> int:
    """`run` (what `make run` does): migrate and serve, or the sandbox while there is no Slack token."""
    if not settings.oauth and (not settings.bot_token or settings.bot_token == EXAMPLE_BOT_TOKEN):
        why = "is the example's placeholder" if settings.bot_token else "is not set"
        print(f"remote-wins: SLACK_BOT_TOKEN {why}, so this is the sandbox: a simulated workspace.")
        print("remote-wins: to serve Slack, set it (see README, Create the Slack app) and run this again.")
        return _sandbox("sandbox.db", None, None)
    from remote_wins.server import serve
    from storage.schema import head_revision, upgrade

    upgrade(settings.database_url)
    print(f"remote-wins: the database is at revision {head_revision()}")
    serve(settings)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from remote_wins.server import serve

    serve(settings)
    return 0


def _socket(args: argparse.Namespace, settings: Settings) -> int:
    from remote_wins.socket_mode import run_socket_mode

    run_socket_mode(settings)
    return 0


def _clock(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.clock import run_clock

    run_clock(settings, interval_seconds=args.interval_seconds)
    return 0


def _workspace(args: argparse.Namespace, settings: Settings) -> int:
    if args.workspace_command == "purge":
        return _workspace_purge(args, settings)
    return _workspace_holidays(args, settings)


def _sandbox(db: str, script: str | None, start: str | None) -> int:
    """`remote-wins sandbox`: the app against the workspace simulator (see remote_wins/sandbox)."""
    begin = _instant(start) if start else None
    if start and begin is None:
        print(f"remote-wins: --start {start!r} is not an instant with an offset or Z", file=sys.stderr)
        return USAGE_ERROR
    if script is not None and not Path(script).is_file():
        print(f"remote-wins: --script {script}: no such file", file=sys.stderr)
        return USAGE_ERROR
    from remote_wins.sandbox.terminal import run

    try:
        return run(db, script, begin)
    except SchemaOutOfDate as error:
        print(f"remote-wins: {error}", file=sys.stderr)
        return USAGE_ERROR


def _run_job(args: argparse.Namespace, settings: Settings) -> int:
    """`jobs run KIND --at INSTANT`: one tick as the clock would run it at that instant."""
    at = _instant(args.at)
    if at is None:
        print(
            f"remote-wins: --at {args.at!r} is not an instant: give an ISO-8601 time with an offset, "
            "like 2026-03-09T09:00:00+01:00 or 2026-03-09T08:00:00Z",
            file=sys.stderr,
        )
        return USAGE_ERROR
    from bot.app import build_services
    from jobs.tick import run_tick

    services = build_services(settings)
    try:
        report = run_tick(services, at, kinds={args.kind}, dry_run=args.dry_run, worker="jobs run")
    finally:
        services.close()
    print(f"remote-wins: {args.kind} tick at {at:%Y-%m-%dT%H:%M:%SZ}: {report.summary()}")
    for line in report.item_lines() if args.dry_run else ():
        print(line)
    return 0


def _instant(text: str) -> datetime | None:
    """An aware instant in UTC from ISO-8601 (`Z` or an offset); None when it is not one."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _digest_preview(args: argparse.Namespace, settings: Settings) -> int:
    """`digest preview`: what a manager would receive for a week, from the database; Slack is not called."""
    import json

    from bot.blocks.digest import digest_messages, digest_text
    from rules.calendar import utc_now
    from rules.digest import SHOWN_PER_REPORT, iso_week, manager_week, week_range
    from storage.db import create_db_engine, session_factory
    from storage.digest import find_manager, load_digest, manager_workspaces
    from storage.schema import ensure_current

    try:
        week = iso_week(week_range(args.week).first) if args.week else None
    except ValueError as error:
        print(f"remote-wins: --week: {error}", file=sys.stderr)
        return USAGE_ERROR
    at = _instant(args.at) if args.at else utc_now()
    if at is None:
        print(f"remote-wins: --at: {args.at!r} is not an instant with an offset or Z", file=sys.stderr)
        return USAGE_ERROR
    engine = create_db_engine(settings.database_url)
    try:
        ensure_current(engine)
        with session_factory(engine)() as session:
            workspaces = [args.workspace] if args.workspace else manager_workspaces(session, args.manager)
            if len(workspaces) > 1:
                print(
                    f"remote-wins: {args.manager} manages people in {len(workspaces)} workspaces "
                    f"({', '.join(workspaces)}): add --workspace",
                    file=sys.stderr,
                )
                return USAGE_ERROR
            if not workspaces:
                print(f"No digest: no member names {args.manager} as their manager.")
                return 0
            week = week or manager_week(at, find_manager(session, workspaces[0], args.manager).tz)
            # The text shows every win whole; the blocks are exactly what the manager would be sent.
            every = None if not args.json else SHOWN_PER_REPORT
            digest = load_digest(session, workspaces[0], args.manager, week, now=at, shown_per_report=every)
    finally:
        engine.dispose()
    if args.json and digest.reports:
        print(json.dumps(digest_messages(digest), indent=2, ensure_ascii=False))
    else:
        print(digest_text(digest), end="")
    return 0


def _workspace_holidays(args: argparse.Namespace, settings: Settings) -> int:
    """`workspace holidays TEAM [COUNTRY [REGION] | none]`: print or set the workspace's holiday calendar,
    and move the prompts and recaps of the members who follow it."""
    from rules.calendar import utc_now
    from rules.holidays import NONE, UnknownCalendar, calendar_for
    from storage.db import create_db_engine, session_factory
    from storage.schedules import workspace_calendar
    from storage.schema import ensure_current
    from storage.settings import set_workspace_holidays

    words = list(args.calendar)
    calendar = None
    if len(words) > 2:
        print("remote-wins: give a country code and at most one region, like DE BY", file=sys.stderr)
        return USAGE_ERROR
    if words and [w.lower() for w in words] != [NONE]:
        try:
            calendar = calendar_for(words[0], words[1] if len(words) == 2 else None)
        except UnknownCalendar as unknown:
            print(f"remote-wins: {unknown}".replace("`", ""), file=sys.stderr)
            return USAGE_ERROR
    engine = create_db_engine(settings.database_url)
    try:
        ensure_current(engine)
        with session_factory(engine).begin() as session:
            if not words:
                current = workspace_calendar(session, args.team)
                print(f"{args.team}: public holidays {current.describe() if current else 'none'}")
                return 0
            try:
                moved = set_workspace_holidays(session, args.team, calendar, utc_now())
            except LookupError:
                print(
                    f"remote-wins: no workspace {args.team}: it appears once someone there uses remote-wins",
                    file=sys.stderr,
                )
                return USAGE_ERROR
    finally:
        engine.dispose()
    what = calendar.describe() if calendar else "none"
    print(f"remote-wins: {args.team}'s public holidays are now {what}, for {moved} members who chose none")
    return 0


def _workspace_purge(args: argparse.Namespace, settings: Settings) -> int:
    """`workspace purge TEAM`: every row of the workspace and its tokens, deleted in one transaction."""
    from storage.db import create_db_engine, session_factory
    from storage.schema import ensure_current
    from storage.workspaces import purge_workspace

    engine = create_db_engine(settings.database_url)
    try:
        ensure_current(engine)
        with session_factory(engine).begin() as session:
            found = purge_workspace(session, args.team)
    finally:
        engine.dispose()
    if not found:
        print(f"remote-wins: no data of workspace {args.team} (its tokens, if any, are deleted)")
        return 0
    print(f"remote-wins: deleted workspace {args.team}: its members, their records and its tokens")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """`export`: a member's evidence pack from the database, printed or written; Slack is not called."""
    from datetime import date
    from pathlib import Path

    from sqlalchemy import select

    from bot.evidence import chart_png, csv_file, gather, html_page, markdown_page
    from rules.calendar import utc_now
    from storage.db import create_db_engine, session_factory
    from storage.models import Member
    from storage.schema import ensure_current

    try:
        first = date.fromisoformat(args.first) if args.first else None
        last = date.fromisoformat(args.last) if args.last else None
    except ValueError as error:
        print(f"remote-wins: --from/--to: {error} (use YYYY-MM-DD)", file=sys.stderr)
        return USAGE_ERROR
    if (first is None) != (last is None) or (first and last and first > last):
        print("remote-wins: give both --from and --to, the first not after the last", file=sys.stderr)
        return USAGE_ERROR
    at = _instant(args.at) if args.at else utc_now()
    if at is None:
        print(f"remote-wins: --at: {args.at!r} is not an instant with an offset or Z", file=sys.stderr)
        return USAGE_ERROR
    engine = create_db_engine(settings.database_url)
    try:
        ensure_current(engine)
        with session_factory(engine)() as session:
            query = select(Member.id, Member.workspace_id).where(Member.user_id == args.user)
            if args.workspace:
                query = query.where(Member.workspace_id == args.workspace)
            found = session.execute(query).all()
            if len(found) != 1:
                where = f" in {args.workspace}" if args.workspace else ""
                why = (
                    f"is in {len(found)} workspaces: add --workspace"
                    if found
                    else f"has never used remote-wins{where}"
                )
                print(f"remote-wins: {args.user} {why}", file=sys.stderr)
                return USAGE_ERROR
            evidence = gather(session, found[0].id, first, last, at)
            if args.format == "csv":
                data = csv_file(evidence).encode("utf-8")
            elif args.format == "md":
                data = markdown_page(evidence).encode("utf-8")
            else:
                data = html_page(evidence, chart_png(evidence)).encode("utf-8")
    finally:
        engine.dispose()
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"remote-wins: wrote {args.output} ({len(data):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _member(args: argparse.Namespace, settings: Settings) -> int:
    """`member export|forget --user U [--team T]`: the JSON export from the database (Slack is not
    called), or the erasure, which DMs the reports whose manager link it ends."""
    import json

    from sqlalchemy import select

    from bot.app import build_services
    from bot.privacy import erase
    from rules.calendar import utc_now
    from storage.models import Member
    from storage.privacy import export_member

    services = build_services(settings)  # checks the schema is current
    try:
        with services.sessions() as session:
            query = select(Member.id, Member.workspace_id).where(Member.user_id == args.user)
            if args.team:
                query = query.where(Member.workspace_id == args.team)
            found = session.execute(query).all()
            if len(found) != 1:
                where = f" in {args.team}" if args.team else ""
                why = f"is in {len(found)} workspaces: add --team" if found else f"is not a member{where}"
                print(f"remote-wins: {args.user} {why}", file=sys.stderr)
                return USAGE_ERROR
            member_id, team = found[0]
            if args.member_command == "export":
                data = json.dumps(export_member(session, member_id, utc_now()), indent=2, ensure_ascii=False)
        if args.member_command == "forget":
            forgotten = erase(services, team, args.user)
            if forgotten is None:
                print(f"remote-wins: {args.user} in {team} was already forgotten", file=sys.stderr)
                return 0
            counts = ", ".join(f"{n} {table}" for table, n in forgotten.deleted.items() if n)
            print(f"remote-wins: forgot {args.user} in {team}: deleted {counts}")
            if forgotten.reports:
                who = ", ".join(user for _id, user in forgotten.reports)
                print(f"remote-wins: cleared the manager link of {who}; each is sent a DM saying it ended")
            return 0
    finally:
        services.close()
    if args.out:
        Path(args.out).write_text(data + "\n", encoding="utf-8")
        print(f"remote-wins: wrote {args.out} ({len(data.encode()):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(data + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
