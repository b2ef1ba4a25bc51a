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
