"""Interest requests: the "you are now protected" message owed after a roster import confirmed the request (issue 12).

interest_requests.roster_notice: NULL when nothing is owed; a number when a roster import closed the request
(status `registered`, reason "roster:<import id>:<previous status>") and its worker (or, for an assisted request,
the official) has not been told yet: how many sends failed so far. The bot's job sends these and clears the mark;
an import run by the CLI (no Telegram there) leaves them for the bot. Indexed: the job looks for marked rows.

The worker's NIK is hashed the same way in both tables (`Vault.hash_nik`), so no new hash is needed.
A revision of its own on the interest branch (after 0010c2).

Revision ID: 0011q
Revises: 0010c2
"""

import sqlalchemy as sa
from alembic import op

revision = "0011q"
down_revision = "0010c2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interest_requests") as batch:
        batch.add_column(sa.Column("roster_notice", sa.Integer, nullable=True))
    op.create_index("ix_interest_requests_roster_notice", "interest_requests", ["roster_notice"])


def downgrade() -> None:
    op.drop_index("ix_interest_requests_roster_notice", table_name="interest_requests")
    with op.batch_alter_table("interest_requests") as batch:
        batch.drop_column("roster_notice")
