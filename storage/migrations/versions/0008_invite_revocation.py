"""Invites die with their maker's rights (issue 14).

- official_invites.revoked_at: set on the unused invites of someone revoked or erased.
- audit_log.target indexed: accepting an invite looks up the user's revocations.

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("official_invites") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_audit_log_target", "audit_log", ["target"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    with op.batch_alter_table("official_invites") as batch:
        batch.drop_column("revoked_at")
