"""Users: announcements stopped (/berhenti or the 🔕 button under a broadcast; /lanjut resumes, issue 13).

users.broadcasts_stopped_at: when the user asked for no more broadcasts (NULL: they get them). Audiences leave
these users out; /hapusdata deletes the row with it.

Revision ID: 0010c
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0010c"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("broadcasts_stopped_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("broadcasts_stopped_at")
