"""A win's source reference is unique per member, not across every workspace.

Slack's trigger and view ids are only promised unique for one request, so a repeated id from another
member must save that member's win rather than answer with someone else's.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wins") as batch:
        batch.drop_constraint("uq_wins_source_ref", type_="unique")
        batch.create_unique_constraint("uq_wins_member_id_source_ref", ["member_id", "source_ref"])


def downgrade() -> None:
    with op.batch_alter_table("wins") as batch:
        batch.drop_constraint("uq_wins_member_id_source_ref", type_="unique")
        batch.create_unique_constraint("uq_wins_source_ref", ["source_ref"])
