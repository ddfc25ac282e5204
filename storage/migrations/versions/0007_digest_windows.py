"""Digest windows: each digest covers what was recorded since the previous one was built, and each
shared win, posted plan and sign-off points to the one digest that showed it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("manager_member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("floor", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_member_id"],
            ["members.id"],
            name=op.f("fk_digests_manager_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_digests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("manager_member_id", "week", name=op.f("uq_digests_manager_member_id_week")),
    )
    with op.batch_alter_table("wins") as batch:
        batch.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_wins_digest_id_digests"), "digests", ["digest_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_wins_digest_id", ["digest_id"])
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("plan_digest_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("summary_digest_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_plans_plan_digest_id_digests"),
            "digests",
            ["plan_digest_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_plans_summary_digest_id_digests"),
            "digests",
            ["summary_digest_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint(op.f("fk_plans_summary_digest_id_digests"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_plans_plan_digest_id_digests"), type_="foreignkey")
        batch.drop_column("summary_digest_id")
        batch.drop_column("plan_digest_id")
    with op.batch_alter_table("wins") as batch:
        batch.drop_index("ix_wins_digest_id")
        batch.drop_constraint(op.f("fk_wins_digest_id_digests"), type_="foreignkey")
        batch.drop_column("digest_id")
    op.drop_table("digests")
