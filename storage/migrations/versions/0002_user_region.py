"""Users: the region a user is known to belong to (desa, kecamatan or kabupaten code), for targeting.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("region_code", sa.String(16), nullable=True))
        batch.create_index("ix_users_region_code", ["region_code"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_region_code")
        batch.drop_column("region_code")
