"""Table definitions used by the repositories (the migrations create them; keep both in step)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

metadata = sa.MetaData()


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("language", sa.String(8)),
    sa.Column("tg_language_code", sa.String(16)),
    sa.Column("consent_status", sa.String(16)),
    sa.Column("consent_version", sa.String(32)),
    sa.Column("consent_at", sa.DateTime(timezone=True)),
    sa.Column("start_payload", sa.String(64)),
    sa.Column("blocked_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("region_code", sa.String(16), index=True),  # desa/kecamatan/kabupaten code, most precise known
    sa.Column("broadcasts_stopped_at", sa.DateTime(timezone=True)),  # /berhenti: no broadcasts (NULL: they get them)
)

consent_log = sa.Table(
    "consent_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_consent_log_user", "user_id"),
)

erasure_log = sa.Table(
    "erasure_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_hash", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

ptb_user_data = sa.Table(
    "ptb_user_data",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("data", sa.Text, nullable=False),
)

ptb_chat_data = sa.Table(
    "ptb_chat_data",
    metadata,
    sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("data", sa.Text, nullable=False),
)

ptb_singletons = sa.Table(
    "ptb_singletons",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)

ptb_conversations = sa.Table(
    "ptb_conversations",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
)

# Scheduled work across processes (storage/leases.py): one row per run of a job (e.g. the 08:00 digest of a day,
# a broadcast's sender); the primary key makes claiming a run an insert-or-nothing, and the lease lets another
# process take the run over when its holder stops renewing it.
job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("job", sa.String(64), primary_key=True),
    sa.Column("run_key", sa.String(128), primary_key=True),
    sa.Column("claimed_by", sa.String(128), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.Column("done_at", sa.DateTime(timezone=True)),
    sa.Index("ix_job_runs_open", "done_at", "lease_until"),
)

# The durable inbox (storage/inbox.py): every update is committed here before Telegram is told it arrived, and
# marked done in the same transaction as the conversation state it changed. `user_key` orders one user's updates;
# the lease (claimed_by, claim_until) lets another process take over the updates of a process that died. The
# payload (it may hold a NIK the user typed) is encrypted, and emptied once the update is done.
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_key", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("claim_until", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done_at", sa.DateTime(timezone=True)),
    sa.Index("ix_inbox_open", "user_key", "update_id", postgresql_where=sa.text("done_at IS NULL"),
             sqlite_where=sa.text("done_at IS NULL")),
    sa.Index("ix_inbox_done_at", "done_at"),
)
