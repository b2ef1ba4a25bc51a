"""Status check with a second factor that is not inside the NIK (issue 13): the per-NIK daily count of checks
that found nothing (keyed hash of the NIK, never the NIK), and the retired keyed hash of (NIK, birth date) —
a birth date is digits 7–12 of the NIK, so it proved nothing — blanked in the roster (the column stays: dropping
it would rebuild roster_members on SQLite, whose foreign keys would empty the reminder subscriptions).

Revision ID: 0010a
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010a"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_nik_attempts",
        sa.Column("nik_key", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    op.execute(sa.text("UPDATE roster_members SET verify_hash = '' WHERE verify_hash <> ''"))
    op.execute(sa.text("UPDATE roster_staging SET verify_hash = '' WHERE verify_hash <> ''"))


def downgrade() -> None:
    op.drop_table("status_nik_attempts")  # the blanked hashes are not restored (nothing reads them)
