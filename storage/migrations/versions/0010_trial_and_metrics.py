"""Member metrics and their values, remote-work trials and their check-ins, the overwork guard's switch,
and when a plan was first sent (a remote day's start, for the trial's figures).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("overwork_guard", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_per", sa.String(length=8), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_metrics_direction")),
        sa.CheckConstraint("target_per IN ('day', 'week')", name=op.f("ck_metrics_target_per")),
        _fk("metrics", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics")),
        sa.UniqueConstraint("member_id", "key", name=op.f("uq_metrics_member_id_key")),
    )
    op.create_table(
        "metric_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("day_kind", sa.String(length=8), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "day_kind IN ('remote', 'office', 'unknown')", name=op.f("ck_metric_values_day_kind")
        ),
        _fk("metric_values", "member_id", "members"),
        _fk("metric_values", "metric_id", "metrics"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_values")),
        sa.UniqueConstraint("member_id", "source_ref", name=op.f("uq_metric_values_member_id_source_ref")),
    )
    op.create_index("ix_metric_values_member_date", "metric_values", ["member_id", "local_date"])

    op.create_table(
        "trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("length_days", sa.Integer(), nullable=False),
        sa.Column("checkin_days", sa.JSON(), nullable=False),
        sa.Column("remote_days", sa.Integer(), nullable=False),
        sa.Column("hours_start", sa.Integer(), nullable=True),
        sa.Column("hours_end", sa.Integer(), nullable=True),
        sa.Column("reach_via", sa.String(length=200), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("manager_user_id", sa.String(length=32), nullable=True),
        sa.Column("proposal_channel", sa.String(length=32), nullable=True),
        sa.Column("proposal_ts", sa.String(length=32), nullable=True),
        sa.Column("response", sa.String(length=8), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("overwork_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_ref", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("response IN ('accepted', 'discuss')", name=op.f("ck_trials_response")),
        _fk("trials", "member_id", "members"),
        _fk("trials", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
        sa.UniqueConstraint("member_id", "source_ref", name=op.f("uq_trials_member_id_source_ref")),
    )
    op.create_index(op.f("ix_trials_member_id"), "trials", ["member_id"])
    op.create_index("ix_trials_overwork_due_at", "trials", ["overwork_due_at"])

    op.create_table(
        "trial_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("member_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_user_id", sa.String(length=32), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('due', 'passed', 'cancelled')", name=op.f("ck_trial_checkins_state")),
        sa.CheckConstraint(
            "decision IN ('continue', 'adjust', 'talk')", name=op.f("ck_trial_checkins_decision")
        ),
        _fk("trial_checkins", "trial_id", "trials"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial_checkins")),
        sa.UniqueConstraint("trial_id", "day", name=op.f("uq_trial_checkins_trial_id_day")),
    )
    op.create_index("ix_trial_checkins_due_at", "trial_checkins", ["due_at"])
    op.create_index("ix_trial_checkins_manager_due_at", "trial_checkins", ["manager_due_at"])


def downgrade() -> None:
    op.drop_table("trial_checkins")
    op.drop_table("trials")
    op.drop_table("metric_values")
    op.drop_table("metrics")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("posted_at")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("overwork_guard")
