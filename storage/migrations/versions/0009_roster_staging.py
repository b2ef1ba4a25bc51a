"""Roster imports without a long write lock (issue 14): rows of an import in progress are staged in
roster_staging in short transactions, then copied into roster_members chunk by chunk (in NIK hash order) once
the import is committed; roster_imports.applied_through marks how far that went (a restart resumes there).

Revision ID: 0009
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_staging",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("nik_hash", sa.String(64), nullable=False),
        sa.Column("nik_enc", sa.Text, nullable=False),
        sa.Column("verify_hash", sa.String(64), nullable=False),
        sa.Column("nama_enc", sa.Text, nullable=False),
        sa.Column("kpj_enc", sa.Text, nullable=True),
        sa.Column("kode_desa", sa.String(16), nullable=False),
        sa.Column("kode_kecamatan", sa.String(12), nullable=False),
        sa.Column("kode_kabupaten", sa.String(8), nullable=False),
        sa.Column("program", sa.String(32), nullable=False),
        sa.Column("sumber_dana", sa.String(24), nullable=False),
        sa.Column("mulai", sa.Date, nullable=False),
        sa.Column("berakhir", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_roster_staging_import", "roster_staging", ["import_id", "id"])
    with op.batch_alter_table("roster_imports") as batch:
        batch.add_column(sa.Column("applied_through", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_imports") as batch:
        batch.drop_column("applied_through")
    op.drop_index("ix_roster_staging_import", "roster_staging")
    op.drop_table("roster_staging")
