"""Member schedules, day overrides, prompt slots, the delivery ledger and plans.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_overrides",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.CheckConstraint("kind IN ('remote', 'office', 'off')", name=op.f("ck_day_overrides_kind")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_day_overrides_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("member_id", "local_date", name=op.f("pk_day_overrides")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("period", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('claimed', 'sent', 'failed', 'missed', 'skipped')", name=op.f("ck_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_deliveries_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deliveries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "workspace_id",
            "member_id",
            "kind",
            "period",
            name=op.f("uq_deliveries_workspace_id_member_id_kind_period"),
        ),
    )
    op.create_index("ix_deliveries_member_finished", "deliveries", ["member_id", "finished_at"])

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reachable", sa.String(length=200), nullable=True),
        sa.Column("reach_via", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=True),
        sa.Column("signed_off", sa.String(length=5), nullable=True),
        sa.Column("summary_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'posted', 'skipped', 'summarized')", name=op.f("ck_plans_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_plans_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("member_id", "local_date", name=op.f("uq_plans_member_id_local_date")),
    )
    op.create_table(
        "prompt_slots",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_prompt_slots_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("member_id", "kind", name=op.f("pk_prompt_slots")),
    )
    op.create_index("ix_prompt_slots_due_at", "prompt_slots", ["due_at"])

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tz_override", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("remote_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("morning_minute", sa.Integer(), nullable=False, server_default="540"))
        batch_op.add_column(sa.Column("eod_minute", sa.Integer(), nullable=False, server_default="1020"))
        batch_op.add_column(sa.Column("manager_user_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("share_to", sa.String(length=8), nullable=False, server_default="self"))
        batch_op.add_column(sa.Column("share_channel_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("deactivated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint("share_to", "share_to IN ('channel', 'manager', 'self')")


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_members_share_to"), type_="check")
        batch_op.drop_column("deactivated")
        batch_op.drop_column("paused")
        batch_op.drop_column("share_channel_id")
        batch_op.drop_column("share_to")
        batch_op.drop_column("manager_user_id")
        batch_op.drop_column("eod_minute")
        batch_op.drop_column("morning_minute")
        batch_op.drop_column("remote_days")
        batch_op.drop_column("tz_override")

    op.drop_index("ix_prompt_slots_due_at", "prompt_slots")

    op.drop_table("prompt_slots")
    op.drop_table("plans")
    op.drop_index("ix_deliveries_member_finished", "deliveries")

    op.drop_table("deliveries")
    op.drop_table("day_overrides")
