"""The officials' inbox for "Tanya petugas" and the FAQ learning loop (issue 11).

faq_questions: the official's answer (encrypted), who answered, the worker's feedback ("thanks" / "confused")
and when a confused worker reopened it. faq_learned: what admins taught the FAQ from answered questions (a new
phrasing of an entry, or a new entry), loaded into the matcher at start.

Revision ID: 0010g
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0010g"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("faq_questions") as batch:
        batch.add_column(sa.Column("answer_enc", sa.Text, nullable=True))
        batch.add_column(sa.Column("answered_by", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("feedback", sa.String(16), nullable=True))
        batch.add_column(sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "faq_learned",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("phrasing", sa.Text, nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("answer", sa.Text, nullable=True),
        sa.Column("title_en", sa.Text, nullable=True),
        sa.Column("answer_en", sa.Text, nullable=True),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_faq_learned_entry_id", "faq_learned", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_faq_learned_entry_id", table_name="faq_learned")
    op.drop_table("faq_learned")
    with op.batch_alter_table("faq_questions") as batch:
        batch.drop_column("reopened_at")
        batch.drop_column("feedback")
        batch.drop_column("answered_by")
        batch.drop_column("answer_enc")
