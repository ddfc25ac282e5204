"""The tables, as typed SQLAlchemy models; Alembic migrations in `storage/migrations` create them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rules.wins import CATEGORIES, DAY_KINDS, SOURCES


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants in UTC and hand them back aware, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack team id
    created_at: Mapped[datetime]


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64))  # IANA name, from users.info
    display_name: Mapped[str] = mapped_column(String(200), default="")
    tz_checked_at: Mapped[datetime]
    created_at: Mapped[datetime]


class Win(Base):
    __tablename__ = "wins"
    __table_args__ = (
        CheckConstraint(_one_of("category", CATEGORIES), name="category"),
        CheckConstraint(_one_of("day_kind", DAY_KINDS), name="day_kind"),
        CheckConstraint(_one_of("source", SOURCES), name="source"),
        # A member's week, and a workspace's (team's) week, stay index range scans at millions of wins.
        Index("ix_wins_member_date", "member_id", "local_date"),
        Index("ix_wins_workspace_date", "workspace_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)  # exactly as typed; escaped only when shown
    category: Mapped[str] = mapped_column(String(16))
    metric_name: Mapped[str | None] = mapped_column(String(80))
    metric_value: Mapped[float | None] = mapped_column(Float)
    link: Mapped[str | None] = mapped_column(String(3000))
    local_date: Mapped[date] = mapped_column(Date)  # the member's own calendar day
    day_kind: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    # The Slack request that created the win (trigger or view id): a retried request saves nothing twice.
    source_ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    private: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
