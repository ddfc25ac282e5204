"""Indexes in the order their busiest queries read:

- the due slots in the clock's order (due_at, member, kind), so paging through a busy minute is linear:
  each page starts where the last ended instead of sorting every slot due that minute;
- wins by (member, created_at), so a digest's pending wins (recorded since its floor, for any day) are a
  range per report instead of a scan of each report's whole history;
- wins by (digest, member, local_date), replacing the index on digest_id alone: a built digest's first
  few wins of each report come from the index in order, not from each report's whole history.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_prompt_slots_due_order", "prompt_slots", ["due_at", "member_id", "kind"])
    op.drop_index("ix_prompt_slots_due_at", table_name="prompt_slots")
    op.create_index("ix_wins_member_created", "wins", ["member_id", "created_at"])
    op.create_index("ix_wins_digest_member_date", "wins", ["digest_id", "member_id", "local_date"])
    op.drop_index("ix_wins_digest_id", table_name="wins")


def downgrade() -> None:
    op.create_index("ix_wins_digest_id", "wins", ["digest_id"])
    op.drop_index("ix_wins_digest_member_date", table_name="wins")
    op.drop_index("ix_wins_member_created", table_name="wins")
    op.create_index("ix_prompt_slots_due_at", "prompt_slots", ["due_at"])
    op.drop_index("ix_prompt_slots_due_order", table_name="prompt_slots")
