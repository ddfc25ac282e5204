"""A member's metrics and the values logged for them; every query is scoped to one member.

Values come from two places: `/remote-win metric <name> <number>` (`metric_values`) and a win that
carries a metric (the win modal offers the member's metrics). `values_between` reads both, matched to
the member's metrics by name as the digest matches them (case and spacing ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from rules.digest import PLAN_WIN
from rules.metrics import MAX_METRICS, MetricDef, metric_key
from storage.models import Metric, MetricValue, Win
from storage.upsert import insert_ignore


@dataclass(frozen=True)
class SavedMetric:
    id: int
    metric: MetricDef
    archived: bool = False

    @property
    def name(self) -> str:
        return self.metric.name


@dataclass(frozen=True)
class Defined:
    """What `define_metric` did: "added", "updated" or "too_many" (nothing changed), and the list after."""

    outcome: str
    metric: SavedMetric | None
    metrics: list[SavedMetric]


def _saved(row: Metric) -> SavedMetric:
    definition = MetricDef(row.name, row.unit, row.direction, row.target, row.target_per)
    return SavedMetric(row.id, definition, row.archived_at is not None)


def metrics_of(session: Session, member_id: int, *, archived: bool = False) -> list[SavedMetric]:
    """The member's metrics in use, in the order they added them (with `archived`, the removed ones too)."""
    query = select(Metric).where(Metric.member_id == member_id)
    if not archived:
        query = query.where(Metric.archived_at.is_(None))
    return [_saved(row) for row in session.scalars(query.order_by(Metric.id))]


def define_metric(session: Session, member_id: int, metric: MetricDef, now: datetime) -> Defined:
    """Add a metric, or change one of the same name (a removed one comes back); at most `MAX_METRICS` in use.

    The member's row is not locked: two definitions at once could both pass the count, a sixth metric
    that does no harm (the list and the figures take them all)."""
    row = session.scalar(select(Metric).where(Metric.member_id == member_id, Metric.key == metric.key))
    in_use = metrics_of(session, member_id)
    if (row is None or row.archived_at is not None) and len(in_use) >= MAX_METRICS:
        return Defined("too_many", None, in_use)
    if row is None:
        values = {
            "member_id": member_id,
            "name": metric.name,
            "key": metric.key,
            "unit": metric.unit,
            "direction": metric.direction,
            "target": metric.target,
            "target_per": metric.per,
            "created_at": now,
        }
        session.execute(insert_ignore(session, Metric, values, ["member_id", "key"]))
        row = session.scalars(select(Metric).filter_by(member_id=member_id, key=metric.key)).one()
        outcome = "added"
    else:
        outcome = "added" if row.archived_at is not None else "updated"
        row.name, row.unit, row.direction = metric.name, metric.unit, metric.direction
        row.target, row.target_per, row.archived_at = metric.target, metric.per, None
    session.flush()
    return Defined(outcome, _saved(row), metrics_of(session, member_id))


def remove_metric(session: Session, member_id: int, name: str, now: datetime) -> SavedMetric | None:
    """Take a metric off the member's list; its values stay (a trial may count them). None: no such one."""
    row = session.scalar(
        select(Metric).where(
            Metric.member_id == member_id, Metric.key == metric_key(name), Metric.archived_at.is_(None)
        )
    )
    if row is None:
        return None
    row.archived_at = now
    session.flush()
    return _saved(row)


def log_value(
    session: Session,
    member_id: int,
    metric_id: int,
    day: date,
    value: float,
    day_kind: str,
    ref: str | None,
    now: datetime,
) -> bool:
    """Record a value; False when this request (`ref`) was already recorded, so a retry logs once."""
    values = {
        "member_id": member_id,
        "metric_id": metric_id,
        "local_date": day,
        "value": value,
        "day_kind": day_kind,
        "source_ref": ref,
        "created_at": now,
    }
    inserted = session.execute(
        insert_ignore(session, MetricValue, values, ["member_id", "source_ref"]).returning(MetricValue.id)
    ).scalar_one_or_none()
    return inserted is not None


def values_between(
    session: Session, member_id: int, first: date, last: date, *, shared_only: bool = False
) -> list[tuple[date, str, float]]:
    """(day, metric name, value) of every value the member logged from `first` to `last`: with `metric`,
    and on the wins they logged themselves (not a ticked plan item; with `shared_only`, not a private win)."""
    logged = session.execute(
        select(MetricValue.local_date, Metric.name, MetricValue.value)
        .join(Metric, Metric.id == MetricValue.metric_id)
        .where(MetricValue.member_id == member_id, MetricValue.local_date.between(first, last))
    ).all()
    wins = select(Win.local_date, Win.metric_name, Win.metric_value).where(
        Win.member_id == member_id,
        Win.local_date.between(first, last),
        Win.source != PLAN_WIN,
        Win.metric_name.is_not(None),
        Win.metric_value.is_not(None),
    )
    if shared_only:
        wins = wins.where(Win.private.is_(False))
    rows = [*logged, *session.execute(wins).all()]  # the query keeps only wins with a name and a value
    return [(day, name, float(value)) for day, name, value in rows if name is not None and value is not None]


def summary_ref(day: date) -> str:
    """The key of the value an end-of-day summary logs for `day`: one a day, replaced when sent again."""
    return f"summary:{day.isoformat()}"


def set_keyed_value(
    session: Session,
    member_id: int,
    metric_id: int,
    day: date,
    value: float,
    day_kind: str,
    ref: str,
    now: datetime,
) -> None:
    """Record the value keyed `ref`, replacing the one recorded under it before (the summary sent again)."""
    if log_value(session, member_id, metric_id, day, value, day_kind, ref, now):
        return
    session.execute(
        update(MetricValue)
        .where(MetricValue.member_id == member_id, MetricValue.source_ref == ref)
        .values(metric_id=metric_id, local_date=day, value=value, day_kind=day_kind)
    )


def clear_keyed_value(session: Session, member_id: int, ref: str) -> None:
    mine = (MetricValue.member_id == member_id, MetricValue.source_ref == ref)
    session.execute(delete(MetricValue).where(*mine))


def keyed_value(session: Session, member_id: int, ref: str) -> tuple[str, float] | None:
    """(metric name, value) recorded under `ref`, or None."""
    row = session.execute(
        select(Metric.name, MetricValue.value)
        .join(Metric, Metric.id == MetricValue.metric_id)
        .where(MetricValue.member_id == member_id, MetricValue.source_ref == ref)
    ).first()
    return (row[0], float(row[1])) if row is not None else None
