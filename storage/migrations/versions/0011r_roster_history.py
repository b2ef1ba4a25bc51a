"""Roster imports that can be undone (issue 12): `roster_history` keeps, for every roster row an import touched,
what it was before (inserted: only the row id; updated: every column; ended: only the row id), written in the
same short transaction as the change; `roster_imports` gets the moment an import was committed (imports without
it have no history and cannot be undone) and the moment and person of an undo.

Revision ID: 0011r
Revises: 0010a
"""

import sqlalchemy as sa
from alembic import op

revision = "0011r"
down_revision = "0010a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("nik_enc", sa.Text, nullable=True),
        sa.Column("verify_hash", sa.String(64), nullable=True),
        sa.Column("nama_enc", sa.Text, nullable=True),
        sa.Column("kpj_enc", sa.Text, nullable=True),
        sa.Column("kode_desa", sa.String(16), nullable=True),
        sa.Column("kode_kecamatan", sa.String(12), nullable=True),
        sa.Column("kode_kabupaten", sa.String(8), nullable=True),
        sa.Column("program", sa.String(32), nullable=True),
        sa.Column("sumber_dana", sa.String(24), nullable=True),
        sa.Column("mulai", sa.Date, nullable=True),
        sa.Column("berakhir", sa.Date, nullable=True),
        sa.Column("prev_import_id", sa.Integer, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_on", sa.Date, nullable=True),
    )
    op.create_index("ix_roster_history_import", "roster_history", ["import_id", "id"])
    op.create_index("ix_roster_history_member", "roster_history", ["member_id"])
    with op.batch_alter_table("roster_imports") as batch:
        batch.add_column(sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("undone_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_imports") as batch:
        batch.drop_column("undone_by")
        batch.drop_column("undone_at")
        batch.drop_column("committed_at")
    op.drop_index("ix_roster_history_member", "roster_history")
    op.drop_index("ix_roster_history_import", "roster_history")
    op.drop_table("roster_history")
