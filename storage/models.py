"""The tables, as typed SQLAlchemy models; Alembic migrations in `storage/migrations` create them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
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

from rules.deliveries import Status
from rules.plans import PlanStatus
from rules.schedule import OVERRIDE_KINDS
from rules.wins import CATEGORIES, DAY_KINDS, SOURCES

SHARE_TO = ("channel", "manager", "self")
DELIVERY_STATUSES = tuple(status.value for status in Status)  # rules.deliveries
PLAN_STATUSES = tuple(status.value for status in PlanStatus)


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
    # The public-holiday calendar of members who chose none of their own (rules/holidays.py); an
    # operator sets it (`remote-wins workspace holidays`).
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_region: Mapped[str | None] = mapped_column(String(64))
    # The app was uninstalled or its tokens revoked: nothing more is sent, and the clock deletes the
    # workspace's data DATA_RETENTION_DAYS later (storage/workspaces.py). Cleared by a new installation.
    uninstalled_at: Mapped[datetime | None] = mapped_column(index=True)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        CheckConstraint(_one_of("share_to", SHARE_TO), name="share_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64))  # IANA name, from users.info
    tz_unknown: Mapped[bool] = mapped_column(default=False)  # users.info gave no zone: tz is UTC meanwhile
    display_name: Mapped[str] = mapped_column(String(200), default="")
    tz_checked_at: Mapped[datetime]
    created_at: Mapped[datetime]
    # Settings for prompts (see rules/schedule.py). Times are minutes after local midnight.
    tz_override: Mapped[str | None] = mapped_column(String(64))
    remote_days: Mapped[int] = mapped_column(default=0)  # bit d set = weekday d (0 = Monday) is remote
    morning_minute: Mapped[int] = mapped_column(default=9 * 60)
    eod_minute: Mapped[int] = mapped_column(default=17 * 60)
    manager_user_id: Mapped[str | None] = mapped_column(String(32))
    share_to: Mapped[str] = mapped_column(String(8), default="self")  # channel | manager | self
    share_channel_id: Mapped[str | None] = mapped_column(String(32))
    paused: Mapped[bool] = mapped_column(default=False)
    deactivated: Mapped[bool] = mapped_column(default=False)  # deleted in Slack: gets nothing
    # The weekly digest this member receives as a manager, in their own zone (see rules/digest.py).
    digest_weekday: Mapped[int] = mapped_column(default=4)  # 0 = Monday; 4 = Friday
    digest_minute: Mapped[int] = mapped_column(default=16 * 60)
    sharing_paused: Mapped[bool] = mapped_column(default=False)  # left out of their manager's digest
    # Working hours (local minutes after midnight) and working weekdays (bitmask, like remote_days): when
    # the recap may reach them, and when posts to them as a manager may (rules/schedule.py).
    work_start_minute: Mapped[int] = mapped_column(default=9 * 60)
    work_end_minute: Mapped[int] = mapped_column(default=18 * 60)
    work_days: Mapped[int] = mapped_column(default=0b11111)  # Monday to Friday
    # Public holidays: NULL follows the workspace's calendar, "none" is no calendar, else a country code.
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_region: Mapped[str | None] = mapped_column(String(64))
    # The overwork guard during a trial (rules/trial.py): a private note when remote days run long.
    overwork_guard: Mapped[bool] = mapped_column(default=True)
    # `/remote-win forget-me` waiting for its Confirm button, which carries this token (storage/privacy.py).
    forget_token: Mapped[str | None] = mapped_column(String(32))


class Win(Base):
    __tablename__ = "wins"
    __table_args__ = (
        CheckConstraint(_one_of("category", CATEGORIES), name="category"),
        CheckConstraint(_one_of("day_kind", DAY_KINDS), name="day_kind"),
        CheckConstraint(_one_of("source", SOURCES), name="source"),
        # A member's week, and a workspace's (team's) week, stay index range scans at millions of wins.
        Index("ix_wins_member_date", "member_id", "local_date"),
        Index("ix_wins_workspace_date", "workspace_id", "local_date"),
        # A digest's pending wins are those recorded since its floor (storage.windows.covered_wins), whatever
        # day they are for: a range per report, not a scan of each report's whole history.
        Index("ix_wins_member_created", "member_id", "created_at"),
        # A built digest's wins, each report's in the order the digest shows them (its first few per report).
        Index("ix_wins_digest_member_date", "digest_id", "member_id", "local_date"),
        # A retried request (same trigger or view id) saves nothing twice; the ids are Slack's, unique
        # for a request, so the key is the member's own.
        UniqueConstraint("member_id", "source_ref"),
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
    # The Slack request that created the win (trigger or view id), unique per member (see above).
    source_ref: Mapped[str | None] = mapped_column(String(128))
    private: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # The manager's digest that showed this win: each shared win is in exactly one (see storage.windows).
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))


class DayOverride(Base):
    """A single day that is not as the weekdays say: `today remote`, `off 2026-12-24..2026-12-31`."""

    __tablename__ = "day_overrides"
    __table_args__ = (CheckConstraint(_one_of("kind", OVERRIDE_KINDS), name="kind"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))


class PromptSlot(Base):
    """The next instant each prompt of a member is due; the clock's whole memory, kept in the database."""

    __tablename__ = "prompt_slots"
    # In the clock's order (storage.schedules.due_slots): each page of a busy minute is a walk along the
    # index from the last page's slot, not a sort of every slot due that minute.
    __table_args__ = (Index("ix_prompt_slots_due_order", "due_at", "member_id", "kind"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    due_at: Mapped[datetime]
    local_date: Mapped[date] = mapped_column(Date)


class Delivery(Base):
    """The ledger: one row per scheduled message, claimed before it is sent, so it is sent at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "member_id", "kind", "period"),
        CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        Index("ix_deliveries_member_finished", "member_id", "finished_at"),
        # Every tick sweeps claims left by dead processes and retries transient failures: by status, the
        # few open rows are found without reading the whole ledger.
        Index("ix_deliveries_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    period: Mapped[str] = mapped_column(String(24))  # the member's local date, or an ISO week
    status: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))
    # When the sender started the call to Slack: a claim its sender died holding is sent again only if
    # this is unset (the message never left); set, the message may have gone out (storage/ledger.py).
    sending_at: Mapped[datetime | None]


class Plan(Base):
    """A remote day's plan, and later its end-of-day summary; a draft is tomorrow's, written ahead."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),
        Index("ix_plans_held_until", "held_until"),  # each tick looks for held posts that are due
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # as typed, one per line
    reachable: Mapped[str | None] = mapped_column(String(200))  # the hours, e.g. "9-12, 13-17"
    reach_via: Mapped[str | None] = mapped_column(String(200))  # how, e.g. "Slack DM, phone after 3"
    channel: Mapped[str | None] = mapped_column(String(32))  # where the plan was posted
    ts: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[list[int]] = mapped_column(JSON, default=list)  # indexes into items
    blockers: Mapped[str | None] = mapped_column(Text)
    signed_off: Mapped[str | None] = mapped_column(String(5))  # local "HH:MM"
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    # The digests that showed the posted plan and the sign-off: each in exactly one (storage.windows).
    plan_digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    summary_digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Done items that are wins, as [item index, win id]: a win made from the item at sign-off (only when
    # the member picked it), or a win logged that day that the item repeats, linked instead of copied.
    item_wins: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    # The day ended without a sign-off and its open items went on to the next plan day (once).
    carried_at: Mapped[datetime | None]
    # A post to the manager outside their working hours waits until then (jobs/tick.py sends it).
    held_until: Mapped[datetime | None]
    # When the plan was first sent: the start of a remote day for the trial's figures (rules/trial.py).
    posted_at: Mapped[datetime | None]


# The digest finds a manager's reports by (workspace, manager's user id): an index, not a scan of members.
Index("ix_members_workspace_manager", Member.workspace_id, Member.manager_user_id)


class DigestRun(Base):
    """One manager's digest as built: it covers what was recorded after the previous one was built and by
    `built_at`; the wins, plans and sign-offs it showed point to it, so none is shown in two."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("manager_member_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    manager_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # the ledger's period: one digest a week
    since: Mapped[datetime | None]  # the previous digest's `built_at`; None for the manager's first
    floor: Mapped[datetime]  # the oldest work it covers was recorded after this (storage.windows)
    built_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]  # None until Slack took its first message


class DigestAck(Base):
    """A manager's "seen" on one week's digest; once per manager and ISO week, whoever presses first."""

    __tablename__ = "digest_acks"
    __table_args__ = (UniqueConstraint("manager_member_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    manager_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    acknowledged_at: Mapped[datetime]


# -- member metrics and remote-work trials (rules/metrics.py, rules/trial.py) ------------------------------

METRIC_DIRECTIONS = ("higher", "lower")
TARGET_PERIODS = ("day", "week")
TRIAL_RESPONSES = ("accepted", "discuss")
CHECKIN_STATES = ("due", "passed", "cancelled")
CHECKIN_DECISIONS = ("continue", "adjust", "talk")


class Metric(Base):
    """A measure a member defines (at most five in use): name, unit, which way is better, a target."""

    __tablename__ = "metrics"
    __table_args__ = (
        UniqueConstraint("member_id", "key"),
        CheckConstraint(_one_of("direction", METRIC_DIRECTIONS), name="direction"),
        CheckConstraint(_one_of("target_per", TARGET_PERIODS), name="target_per"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))  # as typed, spacing tidied
    key: Mapped[str] = mapped_column(String(80))  # the name compared: case and spacing ignored
    unit: Mapped[str] = mapped_column(String(24))
    direction: Mapped[str] = mapped_column(String(8))
    target: Mapped[float | None] = mapped_column(Float)
    target_per: Mapped[str | None] = mapped_column(String(8))
    archived_at: Mapped[datetime | None]  # removed from the list; its values stay for the record
    created_at: Mapped[datetime]


class MetricValue(Base):
    """A value logged with `/remote-win metric <name> <number> [date]`, on the member's own date."""

    __tablename__ = "metric_values"
    __table_args__ = (
        CheckConstraint(_one_of("day_kind", DAY_KINDS), name="day_kind"),
        UniqueConstraint("member_id", "source_ref"),  # a retried command logs once
        Index("ix_metric_values_member_date", "member_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    day_kind: Mapped[str] = mapped_column(String(8))  # as tagged when logged; the figures use the day's kind
    source_ref: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]


class Trial(Base):
    """A remote-work trial: the arrangement proposed, the metrics that count, the manager's answer."""

    __tablename__ = "trials"
    __table_args__ = (
        UniqueConstraint("member_id", "source_ref"),  # the same modal or command twice makes one trial
        CheckConstraint(_one_of("response", TRIAL_RESPONSES), name="response"),
        Index("ix_trials_overwork_due_at", "overwork_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    length_days: Mapped[int]
    checkin_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    remote_days: Mapped[int] = mapped_column(default=0)  # bitmask, like members.remote_days
    hours_start: Mapped[int | None]  # minutes after local midnight: the hours the member can be reached
    hours_end: Mapped[int | None]
    reach_via: Mapped[str | None] = mapped_column(String(200))
    metrics: Mapped[list[dict]] = mapped_column(JSON, default=list)  # the metrics that count, as agreed
    manager_user_id: Mapped[str | None] = mapped_column(String(32))  # who got the proposal
    proposal_channel: Mapped[str | None] = mapped_column(String(32))
    proposal_ts: Mapped[str | None] = mapped_column(String(32))
    response: Mapped[str | None] = mapped_column(String(8))  # accepted | discuss; None: no answer yet
    responded_at: Mapped[datetime | None]
    ended_on: Mapped[date | None] = mapped_column(Date)  # the last day, when ended early
    overwork_due_at: Mapped[datetime | None]  # the overwork guard's next look (jobs/checkins.py)
    source_ref: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]


class TrialCheckin(Base):
    """One check-in of a trial: the member's copy (the clock), shared with the manager when the member
    says so, and the manager's answer."""

    __tablename__ = "trial_checkins"
    __table_args__ = (
        UniqueConstraint("trial_id", "day"),
        CheckConstraint(_one_of("state", CHECKIN_STATES), name="state"),
        CheckConstraint(_one_of("decision", CHECKIN_DECISIONS), name="decision"),
        Index("ix_trial_checkins_due_at", "due_at"),
        Index("ix_trial_checkins_manager_due_at", "manager_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    day: Mapped[int]  # days of the trial it covers: 30 is the morning after the 30th day
    final: Mapped[bool] = mapped_column(default=False)
    local_date: Mapped[date] = mapped_column(Date)  # the member's date it comes on
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="due")
    member_claimed_at: Mapped[datetime | None]  # the clock took the member's copy (the ledger sends it once)
    shared_at: Mapped[datetime | None]  # the member pressed "Share with my manager"
    manager_due_at: Mapped[datetime | None]  # within the manager's working hours, from shared_at
    manager_claimed_at: Mapped[datetime | None]
    manager_user_id: Mapped[str | None] = mapped_column(String(32))  # who got the manager's copy
    decision: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]


class FormOrigin(Base):
    """Where a modal was opened from: the `response_url` Slack gave with the command or button that opened
    it, kept here under an opaque reference (the modal carries only that), so answering its submission
    posts only to a URL Slack gave (see storage/origins.py)."""

    __tablename__ = "form_origins"
    __table_args__ = (Index("ix_form_origins_created_at", "created_at"),)

    ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    response_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]


class Question(Base):
    """A question a manager asked a report through the digest's "Ask a question", and when the report
    answered it through its Answer button: what the trial's reachability figures count."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_member_id_asked_at", "member_id", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))  # who was asked
    asker_user_id: Mapped[str | None] = mapped_column(String(32))  # None: the asker erased their data
    week: Mapped[str] = mapped_column(String(8))  # the ISO week it was about
    text: Mapped[str] = mapped_column(Text)  # as typed, shown again in the answer's modal
    asked_at: Mapped[datetime]  # when it was delivered to the member's DM
    answered_at: Mapped[datetime | None]  # the member's first answer


# OAuth installations and states (storage/installations.py): slack_sdk's SQLAlchemy stores' own tables,
# declared with the stores' builders so that migration 0014 is checked against exactly what they query.
INSTALLATIONS_TABLE, BOTS_TABLE = "slack_installations", "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)
