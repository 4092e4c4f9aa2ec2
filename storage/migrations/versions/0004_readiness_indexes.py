"""Indexes for the readiness digest (latest answer per check and per item as of a time), and people's
display names for it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_checkin_answers_check_time", "checkin_answers", ["check_ref", "answered_at"])
    op.create_index("ix_checkin_answers_item_time", "checkin_answers", ["item", "answered_at"])
    op.create_index("ix_deliveries_period_kind", "deliveries", ["period", "kind"])
    op.add_column("slack_users", sa.Column("name", sa.String(120), nullable=True))


def downgrade() -> None:
    op.drop_column("slack_users", "name")
    op.drop_index("ix_deliveries_period_kind", "deliveries")
    op.drop_index("ix_checkin_answers_item_time", "checkin_answers")
    op.drop_index("ix_checkin_answers_check_time", "checkin_answers")
