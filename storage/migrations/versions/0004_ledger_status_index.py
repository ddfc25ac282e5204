"""An index on the ledger's status, read by every tick's sweep of dead claims and its retries.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_status_due", "deliveries", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_status_due", "deliveries")
