"""The pending confirmation of `/remote-win forget-me`: its button carries this token, so only that
confirmation erases, once (a replay, a second press or a cancelled one finds nothing to match).

Revision ID: 0015
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("forget_token", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("forget_token")
