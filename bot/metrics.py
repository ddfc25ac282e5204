"""`/remote-win metric …`: a member's metrics defined, listed, removed, and values logged; each answer is
built in one short transaction (a value is keyed by its request, so a retried command logs once)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.blocks.metrics import (
    defined_message,
    logged_message,
    metrics_message,
    problem_message,
    progress_words,
    removed_metric_message,
    unknown_metric_message,
)
from bot.blocks.wins import Message
from bot.directory import member_for
from bot.services import Services
from rules.calendar import local_today
from rules.metrics import (
    DefineMetric,
    ListMetrics,
    LogMetric,
    MetricCommand,
    MetricProblem,
    RemoveMetric,
    day_values,
    find_metric,
    resolve_day,
)
from rules.schedule import Schedule, weekdays_of, win_day_kind
from storage import metrics as stored
from storage.members import MemberRef
from storage.schedules import override_on


def day_kind_of(session: Session, member: MemberRef, day: date) -> str:
    """The kind a value logged for `day` is tied to, remote or office, as a win's would be."""
    schedule = Schedule(tz=member.tz, remote_days=weekdays_of(member.remote_days))
    return win_day_kind(schedule, day, override_on(session, member.id, day))


def metric_command(
    services: Services, team: str, user: str, command: MetricCommand, typed: str, ref: str
) -> Message:
    """The answer to one of the `metric` words."""
    member = member_for(services, team, user)
    now = services.clock()
    if isinstance(command, ListMetrics):
        with services.sessions() as session:
            return metrics_message([m.metric for m in stored.metrics_of(session, member.id)])
    if isinstance(command, DefineMetric):
        with services.writing(), services.sessions.begin() as session:
            done = stored.define_metric(session, member.id, command.metric, now)
        shown = done.metric.metric if done.metric else command.metric
        return defined_message(done.outcome, shown, [m.metric for m in done.metrics])
    if isinstance(command, RemoveMetric):
        with services.writing(), services.sessions.begin() as session:
            removed = stored.remove_metric(session, member.id, command.name, now)
            left = [m.metric for m in stored.metrics_of(session, member.id)]
        return removed_metric_message(removed.metric if removed else None, command.name, left)
    assert isinstance(command, LogMetric)
    today = local_today(now, member.tz)
    try:
        day = resolve_day(command.day, today)
    except MetricProblem as problem:
        return problem_message(str(problem), typed)
    with services.writing(), services.sessions.begin() as session:
        mine = stored.metrics_of(session, member.id)
        found = find_metric([m.metric for m in mine], command.name)
        if found is None:
            return unknown_metric_message(command.name, [m.metric for m in mine], command.value)
        saved = next(m for m in mine if m.metric.key == found.key)
        kind = day_kind_of(session, member, day)
        stored.log_value(session, member.id, saved.id, day, command.value, kind, ref, now)
        progress = None
        if found.per == "week":
            monday = day - timedelta(days=day.weekday())
            days = day_values(
                stored.values_between(session, member.id, monday, monday + timedelta(days=6)), found
            )
            label = "This week" if monday <= today <= monday + timedelta(days=6) else "That week"
            progress = progress_words(found, sum(days.values()), label)
        elif found.per == "day":
            days = day_values(stored.values_between(session, member.id, day, day), found)
            progress = progress_words(found, sum(days.values()), "Today" if day == today else "That day")
    return logged_message(found, command.value, day, today, kind, progress)
