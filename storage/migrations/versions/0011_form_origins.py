"""Where each modal was opened from (its response_url), kept by the app instead of in private_metadata.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_origins",
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("response_url", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_form_origins")),
    )
    op.create_index("ix_form_origins_created_at", "form_origins", ["created_at"])


def downgrade() -> None:
    op.drop_table("form_origins")
