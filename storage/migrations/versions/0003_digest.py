"""The weekly digest: each manager's digest time, members' sharing pause, and acknowledgements.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_acks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("manager_member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_member_id"],
            ["members.id"],
            name=op.f("fk_digest_acks_manager_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_digest_acks_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_acks")),
        sa.UniqueConstraint("manager_member_id", "week", name=op.f("uq_digest_acks_manager_member_id_week")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_weekday", sa.Integer(), nullable=False, server_default="4"))
        batch_op.add_column(sa.Column("digest_minute", sa.Integer(), nullable=False, server_default="960"))
        batch_op.add_column(
            sa.Column("sharing_paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_members_workspace_manager", "members", ["workspace_id", "manager_user_id"])


def downgrade() -> None:
    op.drop_index("ix_members_workspace_manager", "members")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("sharing_paused")
        batch_op.drop_column("digest_minute")
        batch_op.drop_column("digest_weekday")
    op.drop_table("digest_acks")
