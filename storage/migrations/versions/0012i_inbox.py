"""The durable inbox: updates committed before they are confirmed to Telegram, handled once, in order per user,
by any process (leases), marked done with the state they changed (storage/inbox.py).

Revision ID: 0012i
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0012i"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_key", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.Text, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        sa.Column("claim_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_inbox_open", "inbox", ["user_key", "update_id"],
                    postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))
    op.create_index("ix_inbox_done_at", "inbox", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_done_at", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.drop_table("inbox")
