"""Questions for an official: free-text questions the FAQ could not answer, kept for officials to read.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text_enc", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(16), nullable=True),
        sa.Column("suggested", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_faq_questions_user_id", "faq_questions", ["user_id"])
    op.create_index("ix_faq_questions_status_region", "faq_questions", ["status", "region_code"])


def downgrade() -> None:
    op.drop_index("ix_faq_questions_status_region", table_name="faq_questions")
    op.drop_index("ix_faq_questions_user_id", table_name="faq_questions")
    op.drop_table("faq_questions")
