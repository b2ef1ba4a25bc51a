"""Coverage targets set by admins in chat (`/target`): an overlay on content/coverage_targets.toml, one row per
region (the latest figure wins over the file's when its date is newer or equal).

Revision ID: 0011t
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0011t"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_targets",
        sa.Column("region_code", sa.String(16), primary_key=True),
        sa.Column("target", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("set_by", sa.BigInteger, nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coverage_targets")
