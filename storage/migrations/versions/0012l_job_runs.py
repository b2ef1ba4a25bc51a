"""Scheduled work once across processes: `job_runs` (claimed runs with a lease: the 08:00 digests of a day, the
process sending a broadcast, …; see storage/leases.py).

Revision ID: 0012l
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0012l"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(64), primary_key=True),
        sa.Column("run_key", sa.String(128), primary_key=True),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_job_runs_open", "job_runs", ["done_at", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_job_runs_open", table_name="job_runs")
    op.drop_table("job_runs")
