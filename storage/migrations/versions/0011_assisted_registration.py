"""Interest requests registered by an official for a worker without Telegram (assisted registration, issue 12).

interest_requests.user_id becomes nullable (an assisted request belongs to nobody on Telegram);
assisted_by: the official who registered the worker and witnessed the paper consent form;
consent_form: the paper form's number; consent_at: when the official recorded it.

A revision of its own on the interest branch (after 0010c2).

Revision ID: 0011s
Revises: 0010c2
"""

import sqlalchemy as sa
from alembic import op

revision = "0011s"
down_revision = "0010c2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.alter_column("user_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("assisted_by", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("consent_form", sa.String(40), nullable=True))
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM interest_requests WHERE user_id IS NULL")
    with op.batch_alter_table("interest_requests") as batch:
        batch.drop_column("consent_at")
        batch.drop_column("consent_form")
        batch.drop_column("assisted_by")
        batch.alter_column("user_id", existing_type=sa.BigInteger(), nullable=False)
