"""Broadcasts: one row per job (content, audience, state, schedule) and one per recipient (delivery state).

Revision ID: 0007
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("photo_file_id", sa.String(256), nullable=True),
        sa.Column("audience_kind", sa.String(16), nullable=False),
        sa.Column("audience_value", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_chat_id", sa.BigInteger, nullable=True),
        sa.Column("progress_message_id", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_broadcasts_state", "broadcasts", ["state", "scheduled_at"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("broadcast_id", sa.Integer, sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger, nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
    )
    op.create_index("ix_broadcast_recipients_state", "broadcast_recipients", ["broadcast_id", "state", "user_id"])
    op.create_index("ix_broadcast_recipients_user", "broadcast_recipients", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_broadcast_recipients_user", table_name="broadcast_recipients")
    op.drop_index("ix_broadcast_recipients_state", table_name="broadcast_recipients")
    op.drop_table("broadcast_recipients")
    op.drop_index("ix_broadcasts_state", table_name="broadcasts")
    op.drop_table("broadcasts")
