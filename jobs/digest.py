"""What one scheduled delivery sends, and sending it: a prompt is one message; a manager's digest is a
DM, the messages that continue it in its thread, and a chart uploaded into that thread; a member's recap
is their own week before the digest goes out.

The rules the tick relies on:

- Nothing to send is None, recorded as skipped: a digest nobody shares with (no reports, or all of them
  paused sharing or gone), a recap whose member no longer names a manager or has paused sharing.
- The first message decides the delivery: if Slack refuses it, the delivery fails with Slack's error
  (and the tick retries a passing one); once it is in, the digest counts as sent, because sending it
  again would show the manager the same week twice. What goes wrong after it (a continuation refused, a
  chart that can't be uploaded, `missing_scope` without `files:write`) is logged and kept as the sent
  delivery's note, so an operator sees it without anything being resent.
- The chart goes up with the files upload API (`files_upload_v2`: files.getUploadURLExternal, the
  upload, files.completeUploadExternal) into the digest's thread. The tick sends on a pool and charts
  are drawn side by side: each draws its own Pillow image with its own fonts (bot/chart.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks.digest import digest_messages
from bot.blocks.recap import recap_messages
from bot.sender import Message, Sender, SendResult, error_code
from rules.digest import WinsSeries, build_digest
from rules.schedule import DIGEST, RECAP
from storage.digest import digest_inputs, load_digest, reports_of
from storage.models import Member
from storage.schedules import digest_after, manager_row
from storage.windows import build_window

File = tuple[str, bytes, str]  # filename, content, title
CHART_TITLE = "Wins logged per day, remote vs office"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parcel:
    """What one delivery sends to a member's DM: the first message, the rest in its thread, a chart."""

    messages: list[Message]
    chart: WinsSeries | None = None
    week: str = ""  # names the chart's file
    files: tuple[File, ...] = ()  # after the chart: a trial's final check-in carries the evidence pack


def weekly_parcel(
    session: Session, member_id: int, kind: str, week: str, due_at: datetime, now: datetime
) -> Parcel | None:
    """The digest (kind "digest", to the manager) or the recap (kind "recap", to a report) for the week
    that is the delivery's period; None when there is nothing to send.

    Building a digest assigns it its work (storage.windows) in the caller's transaction, which must
    commit before the digest is sent; a retry renders the digest as it was built."""
    member = session.get(Member, member_id)
    if member is None:
        return None
    if kind == DIGEST:
        reports = reports_of(session, member.workspace_id, member.user_id)
        if not reports:
            return None
        tz_of = {r.member_id: r.tz for r in reports}
        window = build_window(session, member, week, sorted(tz_of), tz_of, now)
        digest = load_digest(session, member.workspace_id, member.user_id, week, now=now, window=window)
        return Parcel(digest_messages(digest), digest.chart, week)
    if kind != RECAP:
        raise ValueError(f"no weekly message of kind {kind!r}")
    manager = manager_row(session, member)
    if manager is None:
        return None
    inputs = digest_inputs(
        session, member.workspace_id, manager.user_id, week, now=now, only_member_id=member.id
    )
    if not inputs.reports:  # paused sharing: the manager sees nothing of theirs, so there is nothing to fix
        return None
    # The member reads it: times in their zone, and no trace of the manager's own acknowledgement.
    own = replace(inputs, manager_tz=member.tz_override or member.tz, acknowledged_at=None)
    digest_at = digest_after(manager, due_at)  # the recap comes in the member's hours, not at a fixed lead
    return Parcel(recap_messages(build_digest(own), manager.user_id, digest_at), week=week)


def send_parcel(
    sender: Sender, workspace_id: str, user_id: str, parcel: Parcel
) -> tuple[SendResult, str | None]:
    """Send the parcel to the member's DM: the result of its first message, and a note of what went
    wrong after it (None when nothing did)."""
    first = sender.send(workspace_id, user_id, parcel.messages[0])
    if not first.sent:
        return first, None
    problems = []
    total = len(parcel.messages)
    for number, message in enumerate(parcel.messages[1:], start=2):
        try:
            error = sender.send(workspace_id, user_id, {**message, "thread_ts": first.ts}).error
        except Exception:
            log.exception("message %d of %d to %s could not be sent", number, total, user_id)
            error = "send_failed"
        if error:
            problems.append(f"message {number} of {total}: {error}")
    if parcel.chart is not None and first.channel and first.ts:
        error = upload_chart(sender, workspace_id, first.channel, first.ts, parcel.chart, parcel.week)
        if error:
            problems.append(f"chart not uploaded: {error}")
    if parcel.files and first.channel and first.ts:
        error = upload_files(sender, workspace_id, first.channel, first.ts, parcel.files)
        if error:
            problems.append(f"files not uploaded: {error}")
    if problems:
        log.warning("the weekly message to %s went out, but: %s", user_id, "; ".join(problems))
    return first, "; ".join(problems) or None


def upload_files(
    sender: Sender, workspace_id: str, channel: str, thread_ts: str, files: tuple[File, ...]
) -> str | None:
    """Upload files into the thread in one go; None when they are there, else why not."""
    try:
        sender.client_for(workspace_id, channel).files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file_uploads=[{"content": data, "filename": name, "title": title} for name, data, title in files],
        )
    except SlackApiError as error:
        return error_code(error)
    except Exception as error:
        log.warning("files for %s could not be uploaded", channel, exc_info=True)
        return type(error).__name__
    return None


def upload_chart(
    sender: Sender, workspace_id: str, channel: str, thread_ts: str, series: WinsSeries, week: str
) -> str | None:
    """Draw the chart and upload it into the thread; None when it is there, else why not."""
    # Pillow loads here, at the first chart, not when the clock or `jobs run` starts: starting stays quick.
    from bot.chart import wins_chart_png

    try:
        png = wins_chart_png(series)
        sender.client_for(workspace_id, channel).files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file=png,
            filename=f"remote-day-wins-{week}.png",
            title=f"{CHART_TITLE}, {week}",
            alt_txt=(
                f"{CHART_TITLE}: the wins the team logged on each day of the last eight weeks (ticked plan "
                "items not counted), by kind of day"
            ),
        )
    except SlackApiError as error:
        code = error_code(error)
        needed = error.response.get("needed") if isinstance(error.response.data, dict) else None
        return f"{code} ({needed})" if needed else code
    except Exception as error:  # the upload step itself, the connection, or drawing the chart
        log.warning("the chart for %s could not be uploaded", channel, exc_info=True)
        return type(error).__name__
    return None
