"""Plans: done items that are wins (made when asked, or linked), days carried on unanswered, held posts.

`carried_at` is set for the plans of days already over that were never signed off, so the first morning
after the upgrade carries nothing from long ago: only days that end from now on carry their open items.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("item_wins", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("carried_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_plans_held_until", ["held_until"])
    op.execute(
        "UPDATE plans SET carried_at = updated_at WHERE status <> 'summarized' AND local_date < CURRENT_DATE"
    )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_index("ix_plans_held_until")
        batch.drop_column("held_until")
        batch.drop_column("carried_at")
        batch.drop_column("item_wins")
