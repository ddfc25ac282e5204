"""members, workspaces and wins

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("tz_checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_members_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_members_workspace_id_user_id")),
    )
    op.create_table(
        "wins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("metric_name", sa.String(length=80), nullable=True),
        sa.Column("metric_value", sa.Float(), nullable=True),
        sa.Column("link", sa.String(length=3000), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("day_kind", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('shipped', 'decision', 'unblocked', 'helped', 'learned', 'metric', 'other')",
            name=op.f("ck_wins_category"),
        ),
        sa.CheckConstraint("day_kind IN ('remote', 'office', 'unknown')", name=op.f("ck_wins_day_kind")),
        sa.CheckConstraint(
            "source IN ('command', 'modal', 'shortcut', 'summary')", name=op.f("ck_wins_source")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_wins_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_wins_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wins")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_wins_source_ref")),
    )
    op.create_index("ix_wins_member_date", "wins", ["member_id", "local_date"])
    op.create_index("ix_wins_workspace_date", "wins", ["workspace_id", "local_date"])


def downgrade() -> None:
    op.drop_index("ix_wins_workspace_date", "wins")
    op.drop_index("ix_wins_member_date", "wins")
    op.drop_table("wins")
    op.drop_table("members")
    op.drop_table("workspaces")
