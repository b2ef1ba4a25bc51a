"""Typed status reasons encrypted like the officials' notes (issue 14).

interest_requests.status_reason_enc: the reason an official typed, a vault token; `status_reason` keeps only the
preset codes ("reason:member"). The typed reasons already stored in clear cannot be encrypted here (the data
key is not the migration's to hold): `FollowupService.seal_reasons` moves them when the bot starts (batched,
idempotent, and a row whose reason changed meanwhile is left alone). Downgrading drops the encrypted reasons.

A revision of its own (on the interest branch), as the project's features branch from their own tables.

Revision ID: 0008b
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0008b"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.add_column(sa.Column("status_reason_enc", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.drop_column("status_reason_enc")
