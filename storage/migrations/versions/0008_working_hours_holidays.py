"""Working hours and public holidays: each member's working hours and days, and a holiday calendar for
members and for the workspace (the default of members who chose none).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("work_start_minute", sa.Integer(), nullable=False, server_default="540")
        )
        batch_op.add_column(sa.Column("work_end_minute", sa.Integer(), nullable=False, server_default="1080"))
        batch_op.add_column(sa.Column("work_days", sa.Integer(), nullable=False, server_default="31"))
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("holiday_region", sa.String(length=64), nullable=True))
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holiday_country", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("holiday_region", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("holiday_region")
        batch_op.drop_column("holiday_country")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("holiday_region")
        batch_op.drop_column("holiday_country")
        batch_op.drop_column("work_days")
        batch_op.drop_column("work_end_minute")
        batch_op.drop_column("work_start_minute")
