"""Alembic migrations applied programmatically (at start, and by `jagakerja migrate`).

Revisions live in `storage/migrations/versions/`. Independent features branch from the foundation
revision; `heads` applies every branch, so parallel work never fights over one linear chain.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_to_head(connection: Connection) -> list[str]:
    before = current_revisions(connection)
    command.upgrade(alembic_config(connection), "heads")
    after = current_revisions(connection)
    return sorted(after - before)


def downgrade_to(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)
