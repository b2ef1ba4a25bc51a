"""Interest requests (Daftar Minat) and anonymous eligibility screening results.

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interest_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("nik_hash", sa.String(64), nullable=False),
        sa.Column("nik_enc", sa.Text, nullable=False),
        sa.Column("name_enc", sa.Text, nullable=False),
        sa.Column("phone_enc", sa.Text, nullable=False),
        sa.Column("birth_date_enc", sa.Text, nullable=False),
        sa.Column("desa_code", sa.String(16), nullable=False),
        sa.Column("kecamatan_code", sa.String(16), nullable=False),
        sa.Column("kabupaten_code", sa.String(8), nullable=False),
        sa.Column("occupation", sa.String(32), nullable=False),
        sa.Column("note_enc", sa.Text, nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("nik_outside_region", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(24), nullable=False, server_default="new"),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ux_interest_requests_ref", "interest_requests", ["ref"], unique=True)
    op.create_index("ix_interest_requests_user_id", "interest_requests", ["user_id"])
    op.create_index("ix_interest_requests_nik_hash", "interest_requests", ["nik_hash"])
    op.create_index("ix_interest_requests_desa_code", "interest_requests", ["desa_code"])
    op.create_index("ix_interest_requests_kecamatan_code", "interest_requests", ["kecamatan_code"])
    op.create_index("ix_interest_requests_kabupaten_code", "interest_requests", ["kabupaten_code"])
    op.create_index("ix_interest_requests_status", "interest_requests", ["status"])
    op.create_table(
        "eligibility_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=True),
        sa.Column("kabupaten_code", sa.String(8), nullable=False),
        sa.Column("kecamatan_code", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("occupation", sa.String(32), nullable=True),
        sa.Column("income_range", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_eligibility_results_kabupaten_code", "eligibility_results", ["kabupaten_code"])
    op.create_index("ix_eligibility_results_user_id", "eligibility_results", ["user_id"])


def downgrade() -> None:
    op.drop_table("eligibility_results")
    op.drop_table("interest_requests")
