"""Interest requests: when the worker last changed or withdrew their request (/dataku, issue 13).

interest_requests.worker_changed_at: shown on the officials' card ("changed by the worker on …"); a withdrawal
is the status `withdrawn` (a string column: no schema change) and stamps it too.

A revision of its own on the interest branch (the table was created by 0004).

Revision ID: 0010c2
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0010c2"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.add_column(sa.Column("worker_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.drop_column("worker_changed_at")
