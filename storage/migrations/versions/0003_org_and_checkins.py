"""Organisation config, Slack user cache, deliveries (exactly-once claims), check-in answers and history.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "org_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guideline", sa.String(4), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("checkin_weekday", sa.Integer(), nullable=False),
        sa.Column("checkin_time", sa.String(5), nullable=False),
        sa.Column("reminder_after_hours", sa.Integer(), nullable=False),
        sa.Column("deadline_hours", sa.Integer(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("digest_time", sa.String(5), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table("org_admins", sa.Column("user_id", sa.String(40), primary_key=True))
    op.create_table("leadership_channels", sa.Column("channel_id", sa.String(40), primary_key=True))
    op.create_table(
        "item_owners",
        sa.Column("item", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(40), primary_key=True),
    )
    op.create_table(
        "slack_users",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_owner", sa.Boolean(), nullable=False),
        sa.Column("dm_channel", sa.String(40), nullable=True),
        sa.Column("fetched_at", TZ, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("checks", sa.String(200), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("deadline_at", TZ, nullable=True),
        sa.Column("claimed_at", TZ, nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("remind_at", TZ, nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("owner_id", "item", "period", "kind", name="uq_delivery"),
    )
    op.create_index("ix_deliveries_period", "deliveries", ["period"])
    op.create_table(
        "checkin_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("check_ref", sa.String(20), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=True),
        sa.Column("maturity", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_at", TZ, nullable=False),
        sa.Column("answered_by", sa.String(40), nullable=False),
        sa.UniqueConstraint("delivery_id", "check_ref", name="uq_answer_check"),
    )
    op.create_index("ix_checkin_answers_delivery_id", "checkin_answers", ["delivery_id"])
    op.create_index("ix_checkin_answers_period", "checkin_answers", ["period"])
    op.create_index("ix_checkin_answers_answered_at", "checkin_answers", ["answered_at"])
    op.create_table(
        "checkin_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("check_ref", sa.String(20), nullable=False),
        sa.Column("field", sa.String(10), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_checkin_events_delivery_id", "checkin_events", ["delivery_id"])


def downgrade() -> None:
    for table in (
        "checkin_events",
        "checkin_answers",
        "deliveries",
        "slack_users",
        "item_owners",
        "leadership_channels",
        "org_admins",
        "org_settings",
    ):
        op.drop_table(table)
