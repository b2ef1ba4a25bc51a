"""Officials (roles, areas, invites), follow-up notes and notices, audit log.

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officials",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name_enc", sa.Text, nullable=True),
        sa.Column("invited_by", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "official_areas",
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("area_code", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "area_code"),
    )
    op.create_index("ix_official_areas_area_code", "official_areas", ["area_code"])
    op.create_table(
        "official_invites",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("area_codes", sa.Text, nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger, nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "followup_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer, nullable=False, index=True),
        sa.Column("worker_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("official_id", sa.BigInteger, nullable=False),
        sa.Column("text_enc", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "followup_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("official_id", sa.BigInteger, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_followup_notices_official", "followup_notices", ["official_id", "created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("actor_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("area_code", sa.String(16), nullable=True),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_index("ix_followup_notices_official", table_name="followup_notices")
    op.drop_table("followup_notices")
    op.drop_table("followup_notes")
    op.drop_table("official_invites")
    op.drop_index("ix_official_areas_area_code", table_name="official_areas")
    op.drop_table("official_areas")
    op.drop_table("officials")
