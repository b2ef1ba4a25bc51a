"""Roster (district list of covered workers), roster imports, status checks and quota, expiry reminders.

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("admin_id", sa.BigInteger, nullable=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("regions", sa.String(255), nullable=True),
        sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ended", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "roster_members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
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
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_on", sa.Date, nullable=True),
        sa.UniqueConstraint("nik_hash", name="uq_roster_members_nik_hash"),
    )
    op.create_index("ix_roster_members_kode_desa", "roster_members", ["kode_desa"])
    op.create_index("ix_roster_members_kode_kecamatan", "roster_members", ["kode_kecamatan"])
    op.create_index("ix_roster_members_kode_kabupaten", "roster_members", ["kode_kabupaten"])
    op.create_table(
        "status_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_status_checks_user_id", "status_checks", ["user_id"])
    op.create_index("ix_status_checks_created_at", "status_checks", ["created_at"])
    op.create_table(
        "status_check_quota",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
    )
    op.create_table(
        "reminder_subscriptions",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("roster_members.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("known_berakhir", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("berakhir", sa.Date, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "berakhir", "kind", name="uq_reminders_sent_once"),
    )


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_table("reminder_subscriptions")
    op.drop_table("status_check_quota")
    op.drop_index("ix_status_checks_created_at", "status_checks")
    op.drop_index("ix_status_checks_user_id", "status_checks")
    op.drop_table("status_checks")
    op.drop_index("ix_roster_members_kode_kabupaten", "roster_members")
    op.drop_index("ix_roster_members_kode_kecamatan", "roster_members")
    op.drop_index("ix_roster_members_kode_desa", "roster_members")
    op.drop_table("roster_members")
    op.drop_table("roster_imports")
